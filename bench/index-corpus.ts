/**
 * The material of the code index benches: real codebases from node_modules with their doc
 * comments removed and each documented function's doc sentence kept as a query (the ground truth
 * of the retrieval bench), and the helpers both index benches share.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { Node } from "web-tree-sitter";
import { parserFor } from "../src/index/chunk/grammars.js";
import type { IndexProgress } from "../src/index/indexer.js";

/** Stable across runs, so the second run finds every vector in the embedding cache. */
export const BENCH_DIR = path.join(os.tmpdir(), "coder-bot-bench-index");
export const NODE_MODULES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "node_modules");

export interface Codebase {
  readonly name: string;
  /** Under node_modules; files keep their path relative to the package. */
  readonly dir: string;
  readonly files: RegExp;
}

/**
 * In order of preference; `shortfall` in index-retrieval.ts decides which qualify. Many packages document mostly types
 * (`@param {string} key` and nothing else), which give no query, and packages of a handful of
 * large files are left out, as whole-file retrieval can hardly miss there.
 */
export const CANDIDATES: readonly Codebase[] = [
  { name: "openai", dir: "openai/src", files: /(?<!\.d)\.ts$/ },
  { name: "vitest", dir: "vitest/dist", files: /\.js$/ },
  // ts5.6/ repeats some declarations for older compilers.
  { name: "@types/node", dir: "@types/node", files: /^(?!ts5)[^]*\.d\.ts$/ },
  { name: "node-llama-cpp", dir: "node-llama-cpp/dist", files: /\.js$/ },
  { name: "@grpc/grpc-js", dir: "@grpc/grpc-js/src", files: /(?<!\.d)\.ts$/ },
  { name: "undici", dir: "undici/lib", files: /\.js$/ },
  { name: "protobufjs", dir: "protobufjs/src", files: /\.js$/ },
  { name: "commander", dir: "commander/lib", files: /\.js$/ },
];

// ── ground truth: documented functions, doc comments removed ──────────────────────────

/** A documented function in the stripped copy; lines 1-based, inclusive. */
export interface Target {
  readonly path: string;
  readonly spans: ReadonlyArray<{ readonly startLine: number; readonly endLine: number }>;
  readonly query: string;
}

export interface StrippedFile {
  /** Relative to the package, `/`-separated. */
  readonly path: string;
  readonly text: string;
  readonly targets: readonly Target[];
  readonly docComments: number;
  /** Functions with a doc comment, usable as a query or not. */
  readonly documented: number;
}

const FUNCTION_VALUES = new Set([
  "arrow_function",
  "function",
  "function_expression",
  "generator_function",
  "generator_function_expression",
]);
const FUNCTION_NODES = new Set([
  "function_declaration",
  "generator_function_declaration",
  "function_signature",
  "method_definition",
  "method_signature",
  "abstract_method_signature",
  "class_declaration",
  "abstract_class_declaration",
]);

/**
 * Whether a node is a function, a method or a class, written any of the ways JavaScript allows.
 * Decided here from the syntax tree, not by the chunker's own tables, so the ground truth does
 * not inherit the chunker's blind spots.
 */
function isFunctionLike(node: Node): boolean {
  if (node.type === "export_statement" || node.type === "ambient_declaration") {
    const inner =
      node.childForFieldName("declaration") ??
      node.namedChildren.find((c) => c !== null && c.type !== "comment" && c.type !== "decorator") ??
      null;
    return inner !== null && isFunctionLike(inner);
  }
  if (FUNCTION_NODES.has(node.type)) return true;
  const valueIsFunction = (value: Node | null | undefined) => value !== null && value !== undefined && FUNCTION_VALUES.has(value.type);
  switch (node.type) {
    case "lexical_declaration":
    case "variable_declaration": {
      const declarators = node.namedChildren.filter((c) => c?.type === "variable_declarator");
      return declarators.length === 1 && valueIsFunction(declarators[0]?.childForFieldName("value"));
    }
    case "expression_statement": {
      const expression = node.namedChild(0);
      return expression?.type === "assignment_expression" && valueIsFunction(expression.childForFieldName("right"));
    }
    case "public_field_definition":
    case "field_definition":
      return valueIsFunction(node.childForFieldName("value"));
    default:
      return false;
  }
}

/**
 * The query a doc comment gives: its description (before the first `@tag` line), first paragraph,
 * first sentence, with `{@link X}` read as `X`; a doc with no description gives its `@returns`
 * text ("The BOS (Beginning Of Sequence) token."). Null under three words, as CodeSearchNet drops
 * docstrings that say nothing.
 */
export function docQuery(comment: string): string | null {
  const body = comment
    .replace(/^\/\*\*+/, "")
    .replace(/\*+\/$/, "")
    .split("\n")
    .map((line) => line.replace(/^\s*\*+ ?/, ""));
  const isTag = (line: string) => /^\s*@\w/.test(line);
  const tag = body.findIndex(isTag);
  let sentence = firstSentence(tag === -1 ? body : body.slice(0, tag));
  const returns = body.findIndex((line) => /^\s*@returns?\s/.test(line));
  if (sentence === "" && returns !== -1) {
    const next = body.findIndex((line, i) => i > returns && isTag(line));
    const lines = body.slice(returns, next === -1 ? undefined : next);
    sentence = firstSentence([lines[0]!.replace(/^\s*@returns?\s+(\{[^}]*\}\s*)?/, ""), ...lines.slice(1)]);
  }
  return sentence.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length >= 3 ? sentence : null;
}

function firstSentence(lines: readonly string[]): string {
  const text = lines
    .join("\n")
    .replace(/\{@link(?:code|plain)?\s+([^}|\s]+)(?:[|\s]+([^}]*))?\}/g, (_, target: string, label?: string) => label?.trim() || target);
  const paragraph =
    text
      .split(/\n\s*\n/)
      .map((p) => p.replace(/\s+/g, " ").trim())
      .find((p) => p !== "") ?? "";
  return (/^(.+?[.!?])(?=\s|$)/.exec(paragraph)?.[1] ?? paragraph).slice(0, 300).trim();
}

function languageOf(file: string): "TypeScript" | "JavaScript" {
  return /\.[cm]?ts$/.test(file) ? "TypeScript" : "JavaScript";
}

/**
 * The file with every `/** … *\/` comment removed (whole lines when the comment stands alone on
 * its lines, else just the comment), and its documented functions with their line spans in the
 * stripped text. A doc comment counts as the function's when it ends on the line before it, or
 * with one blank line between, as some styles leave.
 */
export async function stripDocComments(relativePath: string, text: string): Promise<StrippedFile> {
  const parser = await parserFor(languageOf(relativePath));
  if (!parser) throw new Error(`no grammar for ${relativePath}`);
  const tree = parser.parse(text);
  if (!tree) throw new Error(`cannot parse ${relativePath}`);
  const removals: Array<[number, number]> = [];
  const found: Array<{ node: Node; query: string }> = [];
  let documented = 0;
  try {
    const visit = (node: Node) => {
      const kids = node.namedChildren.filter((c): c is Node => c !== null);
      kids.forEach((child, i) => {
        if (child.type === "comment" && /^\/\*\*(?!\/)/.test(child.text)) {
          removals.push(removalRange(text, child.startIndex, child.endIndex));
          const next = kids[i + 1];
          if (next && next.startPosition.row - child.endPosition.row <= 2 && next.type !== "comment" && isFunctionLike(next)) {
            documented++;
            const query = docQuery(child.text);
            if (query !== null) found.push({ node: next, query });
          }
        }
        visit(child);
      });
    };
    visit(tree.rootNode);
    removals.sort((a, b) => a[0] - b[0]);
    let stripped = "";
    let at = 0;
    for (const [from, to] of removals) {
      if (from < at) continue;
      stripped += text.slice(at, from);
      at = to;
    }
    stripped += text.slice(at);
    const shift = (offset: number) =>
      offset - removals.reduce((sum, [from, to]) => sum + (to <= offset ? to - from : from < offset ? offset - from : 0), 0);
    const lineStarts = [0];
    for (let i = 0; i < stripped.length; i++) if (stripped.charCodeAt(i) === 10) lineStarts.push(i + 1);
    const lineOf = (offset: number) => {
      let lo = 0;
      let hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (lineStarts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo + 1;
    };
    const targets = found.map(({ node, query }) => ({
      path: relativePath,
      spans: [{ startLine: lineOf(shift(node.startIndex)), endLine: lineOf(shift(Math.max(node.startIndex, node.endIndex - 1))) }],
      query,
    }));
    return { path: relativePath, text: stripped, targets, docComments: removals.length, documented };
  } finally {
    tree.delete();
  }
}

/** A comment alone on its lines takes the lines with it; one beside code leaves the code in place. */
function removalRange(text: string, start: number, end: number): [number, number] {
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const newline = text.indexOf("\n", end);
  const lineEnd = newline === -1 ? text.length : newline;
  if (text.slice(lineStart, start).trim() === "" && text.slice(end, lineEnd).trim() === "")
    return [lineStart, newline === -1 ? lineEnd : newline + 1];
  return [start, end];
}

/**
 * One query per doc sentence: the same sentence on several functions of one file (overloads) is
 * one query that any of them answers; the same sentence in two files is ambiguous and dropped.
 */
export function distinctTargets(files: readonly StrippedFile[]): Target[] {
  const bySentence = new Map<string, Target[]>();
  for (const target of files.flatMap((f) => f.targets)) bySentence.set(target.query, [...(bySentence.get(target.query) ?? []), target]);
  const targets: Target[] = [];
  for (const [query, group] of bySentence) {
    if (new Set(group.map((t) => t.path)).size > 1) continue;
    targets.push({ path: group[0]!.path, spans: group.flatMap((t) => t.spans), query });
  }
  return targets;
}

export function listFiles(root: string, pattern: RegExp): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== "node_modules") walk(full);
      else if (entry.isFile()) {
        const relative = path.relative(root, full).split(path.sep).join("/");
        if (pattern.test(relative)) out.push(relative);
      }
    }
  };
  walk(root);
  return out.sort();
}

/** Reads a codebase from node_modules: paths relative to the package root (`src/…`, `lib/…`). */
export async function loadCodebase(codebase: Codebase): Promise<StrippedFile[]> {
  const dir = path.join(NODE_MODULES, codebase.dir);
  const packageRoot = path.join(
    NODE_MODULES,
    codebase.dir
      .split("/")
      .slice(0, codebase.dir.startsWith("@") ? 2 : 1)
      .join("/"),
  );
  const files: StrippedFile[] = [];
  for (const relative of listFiles(dir, codebase.files)) {
    const full = path.join(dir, relative);
    if (statSync(full).size > 1024 * 1024) continue;
    files.push(await stripDocComments(path.relative(packageRoot, full).split(path.sep).join("/"), readFileSync(full, "utf8")));
  }
  return files;
}

// ── helpers shared by the index benches ──────────────────────────────────────────

/** Writes `files` into a fresh git work tree (added, not committed: the scanner lists the index). */
export function makeGitRepo(dir: string, files: ReadonlyArray<{ readonly path: string; readonly text: string }>): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    const full = path.join(dir, file.path);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, file.text);
  }
  execFileSync("git", ["init", "-q", "-b", "main"], { cwd: dir });
  execFileSync("git", ["-c", "core.autocrlf=false", "add", "-A"], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
  return dir;
}

/** Deterministic shuffle (mulberry32), so a sample is the same on every machine and run. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Prints the indexer's progress at most every ten seconds, and where it ended. */
export function progressPrinter(label: string): (p: IndexProgress) => void {
  let last = 0;
  let printed = "";
  return (p) => {
    if (p.phase === "scan" || (p.phase !== "done" && performance.now() - last < 10_000)) return;
    const line = `  ${label}: ${p.filesDone}/${p.filesTotal} files, ${p.chunks} chunks, ${p.embedded} embedded`;
    if (line === printed) return;
    last = performance.now();
    printed = line;
    console.log(`${line}, ${(p.elapsedMs / 1000).toFixed(0)} s`);
  };
}
