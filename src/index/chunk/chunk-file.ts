import { estimateCounter } from "../../llm/tokens/token-counter.js";
import type { Chunk } from "../types.js";
import { toChunks, type SourceFile } from "./chunk-records.js";
import { parserFor } from "./grammars.js";
import { specFor } from "./language-specs.js";
import { LineTable } from "./line-table.js";
import { lineWindows } from "./line-windows.js";
import { chunkTree, type RawChunk } from "./syntax-chunker.js";

export interface ChunkOptions {
  /** No chunk's text costs more (by `estimateCounter`). Default 512; at least 16. */
  readonly maxTokens?: number;
  /** Declarations under this size may share a chunk with their small neighbours. Default 64, at most maxTokens / 2. */
  readonly minTokens?: number;
}

export const DEFAULT_MAX_TOKENS = 512;
export const DEFAULT_MIN_TOKENS = 64;

/** The fallback's windows: long enough to hold a function, overlapping so that none is only ever seen cut. */
const WINDOW_LINES = 60;
const WINDOW_OVERLAP = 10;

/** A parse that takes longer is abandoned for line windows; tree-sitter parses a megabyte in well under a second. */
const PARSE_TIME_LIMIT_MS = 10_000;

/**
 * Cuts a file into chunks for the index: functions, methods, classes and the other declarations
 * of its language, from a tree-sitter syntax tree, or line windows (`kind: "lines"`) for languages
 * without a grammar and parses that fail. Every non-blank line is in a chunk; no chunk costs more
 * than `maxTokens`. Never throws on odd input (empty files, one huge line, broken syntax, CRLF).
 *
 * @example
 * const chunks = await chunkFile({ path: "src/parser.ts", language: "TypeScript", text });
 * // [{ kind: "class", symbols: ["Parser"], signature: "export class Parser", startLine: 3, … }, …]
 */
export async function chunkFile(file: SourceFile, options: ChunkOptions = {}): Promise<Chunk[]> {
  const maxTokens = Math.max(16, Math.floor(options.maxTokens ?? DEFAULT_MAX_TOKENS));
  const minTokens = Math.min(Math.max(0, options.minTokens ?? DEFAULT_MIN_TOKENS), Math.floor(maxTokens / 2));
  const table = new LineTable(file.text, estimateCounter);
  if (table.lines.every((line) => line.trim() === "")) return [];
  const raw = (await syntaxChunks(file.language, table, maxTokens, minTokens).catch(() => null)) ?? windowChunks(table, maxTokens);
  return toChunks(file, table, raw);
}

async function syntaxChunks(language: string | null, table: LineTable, maxTokens: number, minTokens: number): Promise<RawChunk[] | null> {
  const spec = specFor(language);
  const parser = spec ? await parserFor(language) : null;
  if (!spec || !parser) return null;
  const deadline = performance.now() + PARSE_TIME_LIMIT_MS;
  const tree = parser.parse(table.source, null, { progressCallback: () => performance.now() > deadline });
  if (!tree) {
    parser.reset();
    return null;
  }
  try {
    return chunkTree(tree.rootNode, { spec, table, maxTokens, minTokens });
  } finally {
    tree.delete();
  }
}

function windowChunks(table: LineTable, maxTokens: number): RawChunk[] {
  const meta = { kind: "lines", symbols: [], signature: null };
  return lineWindows(table, 0, table.count - 1, { maxTokens, maxLines: WINDOW_LINES, overlap: WINDOW_OVERLAP }).map((span) => ({
    ...span,
    meta,
  }));
}
