import type { Chunk } from "../types.js";
import { lexicalFields } from "./lexical-fields.js";

/** A query term in a symbol's name counts most, then in the path, then anywhere in the text. */
const SYMBOL_WEIGHT = 3;
const PATH_WEIGHT = 2;
const BODY_WEIGHT = 1;

/**
 * Ranks lexical candidates where the backend only filters (Qdrant's full-text index matches but
 * does not score): the weighted count of query terms a chunk holds. Unlike bm25 it knows
 * nothing of how rare a term is, nor how often it repeats.
 */
export function termOverlapScore(terms: readonly string[], chunk: Pick<Chunk, "path" | "symbols" | "text">): number {
  const fields = lexicalFields(chunk);
  const symbols = new Set(fields.symbols.split(" "));
  const path = new Set(fields.path.split(" "));
  const body = new Set(fields.body.split(" "));
  let score = 0;
  for (const term of terms) {
    if (symbols.has(term)) score += SYMBOL_WEIGHT;
    if (path.has(term)) score += PATH_WEIGHT;
    if (body.has(term)) score += BODY_WEIGHT;
  }
  return score;
}
