import type { Node } from "web-tree-sitter";
import { children, type Declaration, type LanguageSpec } from "./declaration.js";
import type { LineTable } from "./line-table.js";
import { lineWindows, type Span } from "./line-windows.js";
import { signatureOf } from "./signature.js";

export interface ChunkMeta {
  readonly kind: string;
  readonly symbols: readonly string[];
  readonly signature: string | null;
}

/** A chunk before blank-line trimming and hashing. */
export interface RawChunk extends Span {
  readonly meta: ChunkMeta;
}

export interface SyntaxContext {
  readonly spec: LanguageSpec;
  readonly table: LineTable;
  readonly maxTokens: number;
  readonly minTokens: number;
}

interface Scope {
  /** The enclosing declarations' names, outermost first. */
  readonly symbols: readonly string[];
  /** Inside a class-like body, where functions are methods. */
  readonly inType: boolean;
}

/** A run of whole lines that the packer keeps together: one declaration, or code between declarations. */
interface Item {
  start: number;
  end: number;
  readonly nodes: Node[];
  readonly declarations: Array<{ readonly declaration: Declaration; readonly meta: ChunkMeta }>;
  /** Set on the lines that open a split container (`class A extends B {` and what precedes its first member). */
  header?: ChunkMeta;
}

/** Pathological nesting (10,000 nested arrays) ends in line windows, not a stack overflow. */
const MAX_DEPTH = 48;

/**
 * Chunks from a syntax tree. The top-level nodes become items (a declaration with the comments
 * and attributes that touch it, or code between declarations), which are packed in order:
 * an item over the cap is split (a class or impl into a header and its members, anything else
 * into line windows that keep its name and signature), and small items are merged up to the cap.
 * Two declarations share a chunk only when both are small (under `minTokens`), so every
 * function of a real size keeps a chunk, and its name, of its own. Every line of the file lands
 * in exactly one chunk: gaps between items go to the item before them.
 */
export function chunkTree(root: Node, context: SyntaxContext): RawChunk[] {
  if (context.table.count === 0) return [];
  return chunkRegion(children(root), 0, context.table.count - 1, { symbols: [], inType: false }, context, 0, null);
}

function chunkRegion(
  nodes: readonly Node[],
  start: number,
  end: number,
  scope: Scope,
  context: SyntaxContext,
  depth: number,
  header: Item | null,
): RawChunk[] {
  const items = buildItems(nodes, scope, context);
  if (header) items.unshift(header);
  return pack(fillRegion(items, start, end), scope, context, depth);
}

function rowsOf(node: Node, table: LineTable): { start: number; end: number } {
  const last = Math.max(table.count - 1, 0);
  const start = Math.min(node.startPosition.row, last);
  let end = node.endPosition.row;
  // A node that takes its final newline along ends at column 0 of the next row.
  if (end > node.startPosition.row && node.endPosition.column === 0) end--;
  return { start, end: Math.max(start, Math.min(end, last)) };
}

function buildItems(nodes: readonly Node[], scope: Scope, context: SyntaxContext): Item[] {
  const { spec, table } = context;
  const items: Item[] = [];
  let pending: Node[] = [];
  const addGap = (node: Node) => items.push({ ...rowsOf(node, table), nodes: [node], declarations: [] });
  const visit = (node: Node, flattened: number) => {
    if (spec.transparent.has(node.type) && flattened < 8) {
      for (const child of children(node)) visit(child, flattened + 1);
      return;
    }
    if (spec.attachable.has(node.type)) {
      // A comment after code on the same line trails that code; only the others may lead a declaration.
      const previous = items[items.length - 1];
      if (pending.length === 0 && previous && previous.end === node.startPosition.row) addGap(node);
      else pending.push(node);
      return;
    }
    const declaration = spec.describe(node, scope.inType);
    if (!declaration) {
      pending.forEach(addGap);
      pending = [];
      addGap(node);
      return;
    }
    let { start } = rowsOf(node, table);
    const { end } = rowsOf(node, table);
    // Comments and attributes join the declaration when nothing separates them; a doc comment
    // (`/**`, `///`) even across one blank line, as some styles leave one.
    let attached = pending.length;
    while (attached > 0) {
      const previous = pending[attached - 1];
      if (!previous) break;
      const rows = rowsOf(previous, table);
      const reach = attached === pending.length && /^(\/\*\*|\/\/\/)/.test(previous.text) ? 2 : 1;
      if (rows.end < start - reach) break;
      start = Math.min(start, rows.start);
      attached--;
    }
    pending.slice(0, attached).forEach(addGap);
    pending = [];
    const meta: ChunkMeta = {
      kind: declaration.kind,
      symbols: [...scope.symbols, ...declaration.names],
      signature: signatureOf(declaration, table.source),
    };
    items.push({ start, end, nodes: [node], declarations: [{ declaration, meta }] });
  };
  for (const node of nodes) visit(node, 0);
  pending.forEach(addGap);
  return items;
}

/** Merges items that share a line and stretches them over the lines between them, so they tile the region. */
function fillRegion(items: Item[], start: number, end: number): Item[] {
  const sorted = items.map((item, index) => ({ item, index })).sort((a, b) => a.item.start - b.item.start || a.index - b.index);
  const tiled: Item[] = [];
  for (const { item } of sorted) {
    const last = tiled[tiled.length - 1];
    if (last && item.start <= last.end) {
      last.end = Math.max(last.end, item.end);
      last.nodes.push(...item.nodes);
      last.declarations.push(...item.declarations);
      last.header ??= item.header;
      continue;
    }
    tiled.push({ ...item, nodes: [...item.nodes], declarations: [...item.declarations] });
  }
  if (tiled.length === 0) return [{ start, end, nodes: [], declarations: [] }];
  for (let i = 0; i < tiled.length; i++) {
    const item = tiled[i];
    const next = tiled[i + 1];
    if (!item) continue;
    if (i === 0) item.start = start;
    item.end = next ? next.start - 1 : end;
  }
  return tiled;
}

function pack(items: readonly Item[], scope: Scope, context: SyntaxContext, depth: number): RawChunk[] {
  const { table, maxTokens, minTokens } = context;
  const chunks: RawChunk[] = [];
  let group: Item[] = [];
  let tokens = 0;
  let declarations = 0;
  let hasBigDeclaration = false;
  let hasHeader = false;
  const flush = () => {
    const first = group[0];
    const last = group[group.length - 1];
    if (first && last) chunks.push({ start: first.start, end: last.end, meta: metaOfGroup(group, scope) });
    group = [];
    tokens = 0;
    declarations = 0;
    hasBigDeclaration = false;
    hasHeader = false;
  };
  for (const item of items) {
    const itemTokens = table.tokens(item.start, item.end);
    if (itemTokens > maxTokens) {
      flush();
      chunks.push(...split(item, scope, context, depth));
      continue;
    }
    const isDeclaration = item.declarations.length > 0;
    const big = isDeclaration && (itemTokens >= minTokens || item.declarations.length > 1);
    const fits = group.length > 0 && !item.header && tokens + itemTokens <= maxTokens;
    // Code between declarations (imports, fields) gathers freely; anything involving a
    // declaration only while one side is small, so declarations keep chunks of their own.
    let joins = fits && ((!isDeclaration && declarations === 0) || tokens < minTokens || itemTokens < minTokens);
    // A header keeps its class's name only if no declaration joins it; a big declaration keeps its own.
    if (joins && isDeclaration) joins = !hasHeader && (big ? declarations === 0 : !hasBigDeclaration);
    if (!joins) flush();
    group.push(item);
    tokens += itemTokens;
    declarations += item.declarations.length;
    hasBigDeclaration ||= big;
    hasHeader ||= item.header !== undefined;
  }
  flush();
  return chunks;
}

function metaOfGroup(group: readonly Item[], scope: Scope): ChunkMeta {
  const header = group.find((item) => item.header)?.header;
  if (header) return header;
  const declarations = group.flatMap((item) => item.declarations);
  const only = declarations.length === 1 ? declarations[0] : undefined;
  if (only) return only.meta;
  return { kind: declarations.length === 0 ? "code" : "declarations", symbols: scope.symbols, signature: null };
}

/** An item over the cap: a container into header and members, other nodes into their children, the rest into windows. */
function split(item: Item, scope: Scope, context: SyntaxContext, depth: number): RawChunk[] {
  const windows = (meta: ChunkMeta, cuts?: ReadonlySet<number>): RawChunk[] =>
    lineWindows(context.table, item.start, item.end, { maxTokens: context.maxTokens, cuts }).map((span) => ({ ...span, meta }));
  if (item.header) return windows(item.header);
  if (depth >= MAX_DEPTH) return windows(metaOfGroup([item], scope));
  const only = item.declarations.length === 1 ? item.declarations[0] : undefined;
  if (only) {
    const { declaration, meta } = only;
    const members = declaration.members ?? [];
    if (members.length > 0) {
      const firstMember = members.reduce((first, member) => Math.min(first, rowsOf(member, context.table).start), item.end);
      const header: Item | null =
        firstMember > item.start ? { start: item.start, end: firstMember - 1, nodes: [], declarations: [], header: meta } : null;
      return chunkRegion(
        members,
        item.start,
        item.end,
        { symbols: meta.symbols, inType: declaration.typeLike },
        context,
        depth + 1,
        header,
      );
    }
    return windows(meta, statementStarts(declaration.body, context.table));
  }
  const node = item.nodes.length === 1 ? item.nodes[0] : undefined;
  if (node && item.declarations.length === 0 && children(node).length > 0) {
    return chunkRegion(children(node), item.start, item.end, scope, context, depth + 1, null);
  }
  return windows(metaOfGroup([item], scope));
}

/** Rows where a statement of a function body starts: the cuts a window prefers. */
function statementStarts(body: Node | null, table: LineTable): ReadonlySet<number> {
  const rows = new Set<number>();
  if (body) for (const statement of children(body)) rows.add(rowsOf(statement, table).start);
  return rows;
}
