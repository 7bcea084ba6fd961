/**
 * How code text becomes search terms, the same way for what is indexed and what is asked:
 * `parseHTTPResponse_v2` is found by `parse`, `http`, `response`, `v`, `2` and by itself.
 */

/** A run of letters, digits and underscores: an identifier, a number, a path segment, a word. */
const WORD = /[\p{L}\p{M}\p{N}_]+/gu;
/**
 * One part of a camelCase or PascalCase word: an acronym before a capitalised word (`HTTP` in
 * `HTTPResponse`), a capitalised or lower-case word, a trailing acronym, a number, or any other
 * letters (scripts without case).
 */
const PART = /\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?[\p{Ll}\p{M}]+|\p{Lu}+|\p{N}+|[\p{L}\p{M}]+/gu;
/** Longer runs are hashes, base64 and minified data: nobody searches for them, and they bloat the index. */
const MAX_WORD_LENGTH = 80;
/** A query is a handful of words; past this it is pasted text, and each extra term only slows the search. */
const MAX_QUERY_TERMS = 32;

/** The lower-case parts of one word: `parse_configFile2` → `parse`, `config`, `file`, `2`. */
export function identifierParts(word: string): string[] {
  const parts: string[] = [];
  for (const piece of word.split("_")) {
    for (const part of piece.match(PART) ?? []) parts.push(part.toLowerCase());
  }
  return parts;
}

/**
 * Every word of `text`, lower-cased, each followed by its parts when it has more than one.
 * Separators (`.`, `/`, `-`, `:`, spaces) end words, so paths and kebab-case split by themselves.
 *
 * @example
 * lexicalTerms("src/parse-config.ts: loadHTTPConfig") // ["src", "parse", "config", "ts", "loadhttpconfig", "load", "http", "config"]
 */
export function lexicalTerms(text: string): string[] {
  const terms: string[] = [];
  for (const word of text.match(WORD) ?? []) {
    if (word.length > MAX_WORD_LENGTH) continue;
    const parts = identifierParts(word);
    if (parts.length === 0) continue;
    terms.push(word.toLowerCase());
    if (parts.length > 1) terms.push(...parts);
  }
  return terms;
}

/** The distinct terms of a user's query, in order, at most a few dozen; only letters, digits and `_` survive. */
export function queryTerms(query: string): string[] {
  return [...new Set(lexicalTerms(query))].slice(0, MAX_QUERY_TERMS);
}
