/**
 * Qdrant's filter semantics for the conditions the fake supports: must / should / must_not
 * (a condition or a list), nested filters, `has_id`, `is_empty`, and field conditions with
 * `match` value / any / except / text / text_any / phrase. An array payload value matches when
 * any element does. Full-text matches use the field's text index when there is one (tokens,
 * all or any of the query's), and without one a substring test per query word, as Qdrant does.
 */
export interface FakePoint {
  readonly id: string | number;
  vector: number[];
  payload: Record<string, unknown>;
  version: number;
}

export interface TextIndexParams {
  readonly tokenizer: string;
  readonly lowercase: boolean;
}

/** Something the fake does not implement: the request fails loudly instead of being answered wrongly. */
export class UnsupportedByFakeError extends Error {}

type Json = Record<string, unknown>;

export function matchesFilter(point: FakePoint, filter: unknown, textIndexes: ReadonlyMap<string, TextIndexParams>): boolean {
  if (filter === null || filter === undefined) return true;
  if (!isObject(filter)) throw new UnsupportedByFakeError(`a filter must be an object, got ${JSON.stringify(filter)}`);
  for (const key of Object.keys(filter)) {
    if (!["must", "should", "must_not"].includes(key)) throw new UnsupportedByFakeError(`the fake does not implement filter clause ${key}`);
  }
  const list = (value: unknown): unknown[] => (value === null || value === undefined ? [] : Array.isArray(value) ? value : [value]);
  const test = (condition: unknown): boolean => matchesCondition(point, condition, textIndexes);
  const must = list(filter.must);
  const should = list(filter.should);
  const mustNot = list(filter.must_not);
  return must.every(test) && (should.length === 0 || should.some(test)) && !mustNot.some(test);
}

function matchesCondition(point: FakePoint, condition: unknown, textIndexes: ReadonlyMap<string, TextIndexParams>): boolean {
  if (!isObject(condition)) throw new UnsupportedByFakeError(`a condition must be an object, got ${JSON.stringify(condition)}`);
  if ("must" in condition || "should" in condition || "must_not" in condition) return matchesFilter(point, condition, textIndexes);
  if (Array.isArray(condition.has_id)) return condition.has_id.some((id) => normalizeId(id) === point.id);
  if (isObject(condition.is_empty) && typeof condition.is_empty.key === "string") {
    const value = valueAt(point.payload, condition.is_empty.key);
    return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
  }
  if (typeof condition.key === "string" && isObject(condition.match)) {
    const unsupported = Object.keys(condition).filter((key) => key !== "key" && key !== "match" && condition[key] !== null);
    if (unsupported.length > 0) throw new UnsupportedByFakeError(`the fake does not implement field condition ${unsupported.join(", ")}`);
    return matchesField(valueAt(point.payload, condition.key), condition.match, textIndexes.get(condition.key));
  }
  throw new UnsupportedByFakeError(`the fake does not implement condition ${JSON.stringify(condition)}`);
}

function matchesField(value: unknown, match: Json, textIndex: TextIndexParams | undefined): boolean {
  const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  if ("value" in match) return values.some((item) => item === match.value);
  if (Array.isArray(match.any)) return values.some((item) => (match.any as unknown[]).includes(item));
  if (Array.isArray(match.except)) return values.length > 0 && values.some((item) => !(match.except as unknown[]).includes(item));
  const strings = values.filter((item): item is string => typeof item === "string");
  if (typeof match.text === "string") return strings.some((text) => textMatches(text, match.text as string, "all", textIndex));
  if (typeof match.text_any === "string") return strings.some((text) => textMatches(text, match.text_any as string, "any", textIndex));
  if (typeof match.phrase === "string") return strings.some((text) => phraseMatches(text, match.phrase as string, textIndex));
  throw new UnsupportedByFakeError(`the fake does not implement match ${JSON.stringify(match)}`);
}

const tokenCache = new WeakMap<object, Map<string, Set<string>>>();

export function tokenize(text: string, index: TextIndexParams): string[] {
  const source = index.lowercase ? text.toLowerCase() : text;
  const tokens = index.tokenizer === "whitespace" ? source.split(/\s+/u) : source.split(/[^\p{L}\p{N}]+/u);
  return tokens.filter((token) => token !== "");
}

function textMatches(text: string, query: string, mode: "all" | "any", index: TextIndexParams | undefined): boolean {
  if (index === undefined) {
    // Without a full-text index Qdrant checks that each query word is a substring of the value.
    const words = query.split(/\s+/u).filter((word) => word !== "");
    return mode === "all" ? words.every((word) => text.includes(word)) : words.some((word) => text.includes(word));
  }
  const have = tokenSet(text, index);
  const want = tokenize(query, index);
  const present = (token: string): boolean => (index.tokenizer === "prefix" ? [...have].some((t) => t.startsWith(token)) : have.has(token));
  return mode === "all" ? want.every(present) : want.some(present);
}

function phraseMatches(text: string, phrase: string, index: TextIndexParams | undefined): boolean {
  if (index === undefined) return text.includes(phrase);
  return ` ${tokenize(text, index).join(" ")} `.includes(` ${tokenize(phrase, index).join(" ")} `);
}

/** Tokenizing a 5,000-point collection on every query would make the fake the slow part of the suite. */
function tokenSet(text: string, index: TextIndexParams): Set<string> {
  let byText = tokenCache.get(index);
  if (byText === undefined) {
    byText = new Map();
    tokenCache.set(index, byText);
  }
  let tokens = byText.get(text);
  if (tokens === undefined) {
    tokens = new Set(tokenize(text, index));
    if (byText.size > 50_000) byText.clear();
    byText.set(text, tokens);
  }
  return tokens;
}

function valueAt(payload: Record<string, unknown>, key: string): unknown {
  let node: unknown = payload;
  for (const part of key.split(".")) node = isObject(node) ? node[part] : undefined;
  return node;
}

/** Qdrant answers UUIDs in their hyphenated lower-case form, whatever form they were sent in. */
export function normalizeId(id: unknown): string | number {
  if (typeof id === "number") return id;
  const hex = String(id).replace(/-/g, "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
