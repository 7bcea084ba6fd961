import type { Node } from "web-tree-sitter";
import { oneLine, type Declaration } from "./declaration.js";

/** Signatures are for showing in a list of hits; a long one is cut here. */
export const MAX_SIGNATURE_CHARACTERS = 200;

/** What precedes a declaration's own text inside its node: decorators, comments, attributes. */
const LEADING_NOISE: ReadonlySet<string> = new Set(["decorator", "comment", "line_comment", "block_comment", "attribute_item"]);
const ANNOTATIONS: ReadonlySet<string> = new Set(["annotation", "marker_annotation"]);

/**
 * The declaration up to its body on one line (`export class Parser<T> extends Base`,
 * `def parse(self, text: str) -> Tree`), without decorators, annotations, a trailing comment or
 * the opening brace or colon; for a declaration without a body, its first line.
 */
export function signatureOf(declaration: Declaration, source: string): string | null {
  const node = declaration.signatureNode;
  const from = signatureStart(node);
  const body = declaration.body;
  let to: number;
  if (body && body.startIndex > from) {
    to = body.startIndex;
  } else {
    const newline = source.indexOf("\n", from);
    to = newline === -1 || newline > node.endIndex ? node.endIndex : newline;
  }
  let text = oneLine(source.slice(from, to))
    .replace(/\s*\/\*.*?\*\/$/, "")
    .replace(/\s*[{:=;]$/, "");
  if (text.length > MAX_SIGNATURE_CHARACTERS) text = `${text.slice(0, MAX_SIGNATURE_CHARACTERS - 1).trimEnd()}…`;
  return text === "" ? null : text;
}

function signatureStart(node: Node): number {
  let from = node.startIndex;
  for (const child of node.children) {
    if (!child) continue;
    if (LEADING_NOISE.has(child.type)) {
      from = child.endIndex;
      continue;
    }
    // Java keeps annotations inside `modifiers`: `@Override public void run()` → `public void run()`.
    if (child.type === "modifiers") {
      for (const modifier of child.children) {
        if (!modifier || !ANNOTATIONS.has(modifier.type)) break;
        from = modifier.endIndex;
      }
    }
    break;
  }
  return from;
}
