import { queryTerms } from "./identifier-terms.js";

/**
 * An FTS5 MATCH expression for a user's query: its split terms, each quoted, joined by OR, so
 * bm25 ranks chunks that hold more (and rarer) terms first. Quoting makes FTS5's syntax (`"`,
 * `*`, `-`, `:`, `^`, AND/OR/NOT/NEAR, parentheses) plain text; the terms hold only letters,
 * digits and `_` anyway. Null when nothing searchable is left.
 *
 * @example
 * ftsMatchExpression('parseConfig -x "unterminated') // '"parseconfig" OR "parse" OR "config" OR "x" OR "unterminated"'
 */
export function ftsMatchExpression(query: string): string | null {
  const terms = queryTerms(query);
  if (terms.length === 0) return null;
  return terms.map((term) => `"${term}"`).join(" OR ");
}
