import type { Chunk } from "../types.js";
import { lexicalTerms } from "./identifier-terms.js";

/** The split terms of a chunk, by where they come from, so a store can weigh a name above a mention. */
export interface LexicalFields {
  readonly path: string;
  readonly symbols: string;
  readonly body: string;
}

/**
 * The text a store indexes for lexical search: the original tokens with their split parts, as
 * space-separated lower-case terms. The signature is not a field of its own: the chunk's text
 * starts with it, and its parameter names would otherwise weigh as much as the symbol's name.
 */
export function lexicalFields(chunk: Pick<Chunk, "path" | "symbols" | "text">): LexicalFields {
  return {
    path: lexicalTerms(chunk.path).join(" "),
    symbols: lexicalTerms(chunk.symbols.join(" ")).join(" "),
    body: lexicalTerms(chunk.text).join(" "),
  };
}
