import { createRequire } from "node:module";
import path from "node:path";
import { Language, Parser } from "web-tree-sitter";

/**
 * Linguist language names → grammar files of tree-sitter-wasms 0.1.13. That package's grammars
 * are built for web-tree-sitter 0.25 (0.27 rejects their ABI), so the two are pinned together.
 * Only languages with a declaration table in language-specs.ts are listed: a grammar without one
 * would cut along syntax but name nothing, and the line windows do that as well.
 */
const GRAMMAR_FILES: Readonly<Record<string, string>> = {
  TypeScript: "tree-sitter-typescript.wasm",
  TSX: "tree-sitter-tsx.wasm",
  JavaScript: "tree-sitter-javascript.wasm",
  Python: "tree-sitter-python.wasm",
  Go: "tree-sitter-go.wasm",
  Rust: "tree-sitter-rust.wasm",
  Java: "tree-sitter-java.wasm",
  C: "tree-sitter-c.wasm",
  "C++": "tree-sitter-cpp.wasm",
};

/** The languages the chunker parses; everything else is cut into line windows. */
export const PARSED_LANGUAGES: readonly string[] = Object.keys(GRAMMAR_FILES);

let runtime: Promise<void> | undefined;
const parsers = new Map<string, Promise<Parser | null>>();

/**
 * A parser for a linguist language, or null when there is no grammar for it or the grammar
 * failed to load (the chunker then falls back to line windows). The WebAssembly runtime and each
 * grammar load once per process; concurrent callers share the same promise.
 */
export function parserFor(language: string | null): Promise<Parser | null> {
  const file = language === null ? undefined : GRAMMAR_FILES[language];
  if (language === null || file === undefined) return Promise.resolve(null);
  let parser = parsers.get(language);
  if (!parser) {
    parser = loadParser(file).catch(() => null);
    parsers.set(language, parser);
  }
  return parser;
}

async function loadParser(file: string): Promise<Parser> {
  runtime ??= Parser.init();
  await runtime;
  const grammar = await Language.load(path.join(grammarDirectory(), file));
  return new Parser().setLanguage(grammar);
}

function grammarDirectory(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("tree-sitter-wasms/package.json")), "out");
}
