import { QdrantClient, type Schemas } from "@qdrant/js-client-rest";
import type { Chunk, IndexStore, SearchHit } from "../types.js";
import { queryTerms } from "./identifier-terms.js";
import { inRequestedOrder } from "./in-requested-order.js";
import { dimensionError, notOpenError } from "./index-store-error.js";
import { collectionName, dimensionsOf, pointId, repoCollectionPrefix } from "./qdrant-names.js";
import { qdrantError, qdrantFailure } from "./qdrant-error.js";
import { CHUNK_FIELDS, chunkFromPayload, chunkPayload, tagsOf } from "./qdrant-payload.js";
import { termOverlapScore } from "./term-overlap-score.js";

export interface QdrantIndexStoreOptions {
  /** e.g. `http://127.0.0.1:6333`. */
  readonly url: string;
  readonly apiKey?: string;
  /** Starts every collection name this store makes, so several bots (or test runs) can share a server. */
  readonly collectionPrefix?: string;
  /** Points per request when writing or reading many (default 256). */
  readonly batchSize?: number;
  /** Per request (default 60 s). */
  readonly timeoutMs?: number;
}

interface Collection {
  readonly name: string;
  readonly dimensions: number;
}

type Filter = Schemas["Filter"];
type Condition = Schemas["Condition"];

const DEFAULT_PREFIX = "coder-index";
const DEFAULT_BATCH = 256;
/**
 * Most points read to rank one lexical query. Qdrant's full-text index filters but does not
 * score, and a scroll returns matches in id order, not by relevance: past this many, a match
 * may go unseen. The all-terms pass runs first, so the chunks that hold every term are seen.
 */
const LEXICAL_CANDIDATES = 1024;

/**
 * The scale-out index store: one Qdrant collection per repository (see `qdrant-names.ts`),
 * cosine distance, the chunk and its branch tags in the payload, point ids derived from chunk
 * ids as UUIDs.
 *
 * Lexical search: each point carries `lexical`, the split terms of its path, symbols and text
 * (`lexical-fields.ts`), under a full-text index with the whitespace tokenizer. A query is split
 * the same way; the chunks holding all its terms are read first (`text` match), then, if fewer
 * than `k`, those holding any (`text_any`), by scroll, at most `LEXICAL_CANDIDATES`. They are
 * ranked here by weighted term overlap (`term-overlap-score.ts`), since Qdrant has no bm25 for
 * payload text: rare and common terms weigh the same, unlike the SQLite store.
 *
 * @example
 * const store = new QdrantIndexStore({ url: "http://127.0.0.1:6333" });
 * await store.open("acme/widgets", "use-lite", 512);
 */
export class QdrantIndexStore implements IndexStore {
  readonly #client: QdrantClient;
  readonly #url: string;
  readonly #prefix: string;
  readonly #batchSize: number;
  /** What this process opened or found; a restart finds it again by listing collections. */
  readonly #collections = new Map<string, Collection>();

  constructor(options: QdrantIndexStoreOptions) {
    const prefix = options.collectionPrefix ?? DEFAULT_PREFIX;
    if (!/^[a-z0-9][a-z0-9_-]{0,40}$/.test(prefix))
      throw new Error(`collectionPrefix must be lower-case letters, digits, '-' and '_', got ${JSON.stringify(prefix)}`);
    this.#url = options.url;
    this.#prefix = prefix;
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH;
    // The version check is a request fired from the constructor whose failure only reaches console.warn.
    this.#client = new QdrantClient({
      url: options.url,
      apiKey: options.apiKey,
      checkCompatibility: false,
      timeout: options.timeoutMs ?? 60_000,
    });
  }

  async open(repo: string, model: string, dimensions: number): Promise<boolean> {
    const wanted = collectionName(this.#prefix, repo, model, dimensions);
    const existing = await this.#repoCollections(repo);
    for (const name of existing)
      if (name !== wanted) await this.#call("drop a replaced collection", () => this.#client.deleteCollection(name));
    const created = !existing.includes(wanted);
    if (created) await this.#createCollection(wanted, dimensions);
    this.#collections.set(repo, { name: wanted, dimensions });
    return created;
  }

  async upsert(
    repo: string,
    items: ReadonlyArray<{ readonly chunk: Chunk; readonly vector: readonly number[] }>,
    tag: string,
  ): Promise<void> {
    const collection = await this.#collection(repo);
    if (collection === undefined) throw notOpenError(repo);
    for (const { vector } of items)
      if (vector.length !== collection.dimensions) throw dimensionError(repo, collection.dimensions, vector.length);
    for (const batch of batches(items, this.#batchSize)) {
      // The last of several items with one id wins, as it would one upsert after another.
      const byPoint = new Map(batch.map((item) => [pointId(item.chunk.id), item]));
      // An upsert replaces a point's payload whole: read the branches that already hold each chunk.
      const tagsNow = await this.#tags(collection.name, [...byPoint.keys()]);
      const points = [...byPoint].map(([id, { chunk, vector }]) => ({
        id,
        vector: [...vector],
        payload: chunkPayload(chunk, repo, union(tagsNow.get(id) ?? [], [tag])),
      }));
      await this.#call("upsert points", () => this.#client.upsert(collection.name, { wait: true, points }));
    }
  }

  async addTag(repo: string, ids: readonly string[], tag: string): Promise<void> {
    await this.#retag(repo, ids, (tags) => union(tags, [tag]));
  }

  async removeTag(repo: string, ids: readonly string[], tag: string): Promise<void> {
    await this.#retag(repo, ids, (tags) => tags.filter((existing) => existing !== tag));
  }

  async delete(repo: string, ids: readonly string[]): Promise<void> {
    const collection = await this.#collection(repo);
    if (collection === undefined) return;
    for (const batch of batches([...new Set(ids)], this.#batchSize * 4)) {
      await this.#call("delete points", () => this.#client.delete(collection.name, { wait: true, points: batch.map(pointId) }));
    }
  }

  async lexical(repo: string, query: string, k: number, tag: string): Promise<SearchHit[]> {
    const collection = await this.#collection(repo);
    const terms = queryTerms(query);
    if (collection === undefined || terms.length === 0 || k < 1) return [];
    const candidates = new Map<string, Chunk>();
    const text = terms.join(" ");
    await this.#scrollInto(collection.name, { must: [tagCondition(tag), { key: "lexical", match: { text } }] }, candidates);
    if (candidates.size < k)
      await this.#scrollInto(collection.name, { must: [tagCondition(tag), { key: "lexical", match: { text_any: text } }] }, candidates);
    return [...candidates.values()]
      .map((chunk) => ({ chunk, score: termOverlapScore(terms, chunk) }))
      .sort((a, b) => b.score - a.score || a.chunk.text.length - b.chunk.text.length || a.chunk.id.localeCompare(b.chunk.id))
      .slice(0, Math.floor(k));
  }

  async nearest(repo: string, vector: readonly number[], k: number, tag: string): Promise<SearchHit[]> {
    const collection = await this.#collection(repo);
    if (collection === undefined || k < 1) return [];
    if (vector.length !== collection.dimensions) throw dimensionError(repo, collection.dimensions, vector.length);
    const { points } = await this.#call("query nearest points", () =>
      this.#client.query(collection.name, {
        query: [...vector],
        filter: { must: [tagCondition(tag)] },
        limit: Math.floor(k),
        with_payload: CHUNK_FIELDS,
      }),
    );
    const hits: SearchHit[] = [];
    for (const point of points) {
      const chunk = chunkFromPayload(point.payload);
      if (chunk !== null) hits.push({ chunk, score: point.score });
    }
    return hits;
  }

  async get(repo: string, ids: readonly string[]): Promise<Chunk[]> {
    const collection = await this.#collection(repo);
    if (collection === undefined || ids.length === 0) return [];
    const found: Chunk[] = [];
    for (const batch of batches([...new Set(ids)], this.#batchSize * 4)) {
      const records = await this.#call("retrieve points", () =>
        this.#client.retrieve(collection.name, { ids: batch.map(pointId), with_payload: CHUNK_FIELDS, with_vector: false }),
      );
      for (const record of records) {
        const chunk = chunkFromPayload(record.payload);
        if (chunk !== null) found.push(chunk);
      }
    }
    return inRequestedOrder(ids, found);
  }

  async count(repo: string, tag?: string): Promise<number> {
    const collection = await this.#collection(repo);
    if (collection === undefined) return 0;
    const filter = tag === undefined ? undefined : { must: [tagCondition(tag)] };
    const { count } = await this.#call("count points", () => this.#client.count(collection.name, { filter, exact: true }));
    return count;
  }

  close(): Promise<void> {
    this.#collections.clear();
    return Promise.resolve();
  }

  async #createCollection(name: string, dimensions: number): Promise<void> {
    try {
      await this.#client.createCollection(name, { vectors: { size: dimensions, distance: "Cosine" } });
    } catch (error) {
      // Another process opened the same space first: its collection is the one wanted.
      if (qdrantFailure(error).status !== 409) throw qdrantError(error, this.#url, `create collection ${name}`);
    }
    await this.#call("index the tags", () =>
      this.#client.createPayloadIndex(name, { field_name: "tags", field_schema: "keyword", wait: true }),
    );
    await this.#call("index the lexical terms", () =>
      this.#client.createPayloadIndex(name, {
        field_name: "lexical",
        field_schema: { type: "text", tokenizer: "whitespace", lowercase: true },
        wait: true,
      }),
    );
  }

  /** This process's record of the repository's collection, or the one a listing finds (after a restart). */
  async #collection(repo: string): Promise<Collection | undefined> {
    const known = this.#collections.get(repo);
    if (known !== undefined) return known;
    const [name] = await this.#repoCollections(repo);
    const dimensions = name === undefined ? undefined : dimensionsOf(name);
    if (name === undefined || dimensions === undefined) return undefined;
    const found = { name, dimensions };
    this.#collections.set(repo, found);
    return found;
  }

  async #repoCollections(repo: string): Promise<string[]> {
    const prefix = repoCollectionPrefix(this.#prefix, repo);
    const { collections } = await this.#call("list collections", () => this.#client.getCollections());
    return collections.map((collection) => collection.name).filter((name) => name.startsWith(prefix));
  }

  async #retag(repo: string, ids: readonly string[], change: (tags: string[]) => string[]): Promise<void> {
    const collection = await this.#collection(repo);
    if (collection === undefined) return;
    for (const batch of batches([...new Set(ids)].map(pointId), this.#batchSize * 4)) {
      const tagsNow = await this.#tags(collection.name, batch);
      // One set_payload per resulting tag list: a branch's chunks mostly share theirs.
      const groups = new Map<string, { tags: string[]; points: string[] }>();
      const orphans: string[] = [];
      for (const [id, tags] of tagsNow) {
        const next = change(tags);
        if (next.length === 0) orphans.push(id);
        else if (!sameTags(next, tags)) {
          const key = JSON.stringify([...next].sort());
          const group = groups.get(key) ?? { tags: next, points: [] };
          group.points.push(id);
          groups.set(key, group);
        }
      }
      for (const { tags, points } of groups.values()) {
        await this.#call("set tags", () => this.#client.setPayload(collection.name, { payload: { tags }, points, wait: true }));
      }
      if (orphans.length > 0)
        await this.#call("delete untagged points", () => this.#client.delete(collection.name, { wait: true, points: orphans }));
    }
  }

  /** The current tags of those of `ids` that exist. */
  async #tags(name: string, ids: readonly string[]): Promise<Map<string, string[]>> {
    const records = await this.#call("read tags", () =>
      this.#client.retrieve(name, { ids: [...ids], with_payload: ["tags"], with_vector: false }),
    );
    return new Map(records.map((record) => [String(record.id), tagsOf(record.payload)]));
  }

  async #scrollInto(name: string, filter: Filter, into: Map<string, Chunk>): Promise<void> {
    let offset: string | number | undefined;
    let read = 0;
    while (read < LEXICAL_CANDIDATES) {
      const page = await this.#call("scroll lexical matches", () =>
        this.#client.scroll(name, {
          filter,
          limit: Math.min(this.#batchSize, LEXICAL_CANDIDATES - read),
          offset,
          with_payload: CHUNK_FIELDS,
          with_vector: false,
        }),
      );
      read += page.points.length;
      for (const point of page.points) {
        const chunk = chunkFromPayload(point.payload);
        if (chunk !== null) into.set(String(point.id), chunk);
      }
      const next = page.next_page_offset;
      if ((typeof next !== "string" && typeof next !== "number") || page.points.length === 0) return;
      offset = next;
    }
  }

  async #call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw qdrantError(error, this.#url, what);
    }
  }
}

function tagCondition(tag: string): Condition {
  return { key: "tags", match: { value: tag } };
}

function union(tags: readonly string[], more: readonly string[]): string[] {
  return [...new Set([...tags, ...more])];
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((tag) => b.includes(tag));
}

function* batches<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}
