import type { LanguageSpec } from "./declaration.js";
import { cppSpec, cSpec } from "./spec-c.js";
import { goSpec } from "./spec-go.js";
import { javaSpec } from "./spec-java.js";
import { javascriptSpec } from "./spec-javascript.js";
import { pythonSpec } from "./spec-python.js";
import { rustSpec } from "./spec-rust.js";

/** Linguist language names → how their syntax trees are read. Keys match grammars.ts. */
const SPECS: Readonly<Record<string, LanguageSpec>> = {
  TypeScript: javascriptSpec,
  TSX: javascriptSpec,
  JavaScript: javascriptSpec,
  Python: pythonSpec,
  Go: goSpec,
  Rust: rustSpec,
  Java: javaSpec,
  C: cSpec,
  "C++": cppSpec,
};

export function specFor(language: string | null): LanguageSpec | null {
  return language === null ? null : (SPECS[language] ?? null);
}
