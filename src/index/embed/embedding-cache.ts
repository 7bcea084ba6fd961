import type { Database, Statement } from "better-sqlite3";
import type { Embedder } from "../../llm/types.js";
import { fromFloat32Blob, toFloat32Blob } from "../store/float32-blob.js";
import type { Chunk } from "../types.js";
import { checkVectors } from "./vector-checks.js";

export interface EmbedMissingOptions {
  readonly signal?: AbortSignal;
  /** Called after each batch with the distinct texts embedded so far and how many need it. */
  readonly onProgress?: (embedded: number, toEmbed: number) => void;
}

export interface EmbedMissingResult {
  /** One per chunk, in the chunks' order. */
  readonly vectors: number[][];
  /** Distinct texts sent to the embedder. */
  readonly embedded: number;
  /** Chunks answered from the cache (`embedded + cached` is the number of chunks). */
  readonly cached: number;
}

/** How many hashes one lookup binds as a JSON array. */
const LOOKUP_BATCH = 500;

/**
 * Vectors by (embedder label, content hash): a chunk whose text has not changed is never
 * embedded again, whatever its path or branch, and a vector made by one model is never served
 * for another. Stored as float32, the precision every store keeps anyway; fresh vectors are
 * rounded the same way, so a result does not depend on whether it came from the cache.
 *
 * @example
 * const cache = new EmbeddingCache(store.database);
 * const { vectors, embedded, cached } = await cache.embedMissing(embedder, chunks);
 */
export class EmbeddingCache {
  readonly #db: Database;
  readonly #batchSize: number;
  readonly #lookup: Statement;
  readonly #insert: Statement;

  constructor(db: Database, options: { readonly batchSize?: number } = {}) {
    this.#db = db;
    this.#batchSize = options.batchSize ?? 32;
    db.exec(`
      CREATE TABLE IF NOT EXISTS embedding_cache (
        model         TEXT NOT NULL,
        content_hash  TEXT NOT NULL,
        vector        BLOB NOT NULL,
        created_at    INTEGER NOT NULL,
        PRIMARY KEY (model, content_hash)
      ) WITHOUT ROWID
    `);
    this.#lookup = db.prepare(
      "SELECT content_hash, vector FROM embedding_cache WHERE model = ? AND content_hash IN (SELECT value FROM json_each(?))",
    );
    this.#insert = db.prepare("INSERT OR REPLACE INTO embedding_cache (model, content_hash, vector, created_at) VALUES (?, ?, ?, ?)");
  }

  /** Embeds the chunks whose text this embedder has not embedded before, in batches; returns vectors for all. */
  async embedMissing(
    embedder: Embedder,
    chunks: ReadonlyArray<Pick<Chunk, "contentHash" | "text">>,
    options: EmbedMissingOptions = {},
  ): Promise<EmbedMissingResult> {
    const model = embedder.label;
    const known = this.#cached(model, [...new Set(chunks.map((chunk) => chunk.contentHash))]);
    const missing = new Map<string, string>();
    for (const chunk of chunks) if (!known.has(chunk.contentHash)) missing.set(chunk.contentHash, chunk.text);

    const pending = [...missing];
    for (let start = 0; start < pending.length; start += this.#batchSize) {
      const batch = pending.slice(start, start + this.#batchSize);
      const vectors = checkVectors(
        model,
        await embedder.embed(
          batch.map(([, text]) => text),
          options.signal,
        ),
        batch.length,
      );
      const now = Date.now();
      // Written per batch, so an interrupted run keeps what it paid for.
      this.#db.transaction(() => {
        batch.forEach(([hash], index) => {
          const blob = toFloat32Blob(vectors[index] ?? []);
          this.#insert.run(model, hash, blob, now);
          known.set(hash, fromFloat32Blob(blob));
        });
      })();
      options.onProgress?.(Math.min(start + batch.length, pending.length), pending.length);
    }

    const vectors = chunks.map((chunk) => {
      const vector = known.get(chunk.contentHash);
      if (vector === undefined) throw new Error(`no vector for content ${chunk.contentHash}`);
      return vector;
    });
    return { vectors, embedded: pending.length, cached: chunks.length - pending.length };
  }

  /** Forgets a model's vectors, e.g. after switching models for good. Returns how many went. */
  forget(model: string): number {
    return this.#db.prepare("DELETE FROM embedding_cache WHERE model = ?").run(model).changes;
  }

  #cached(model: string, hashes: readonly string[]): Map<string, number[]> {
    const found = new Map<string, number[]>();
    for (let start = 0; start < hashes.length; start += LOOKUP_BATCH) {
      const rows = this.#lookup.all(model, JSON.stringify(hashes.slice(start, start + LOOKUP_BATCH))) as Array<{
        content_hash: string;
        vector: Buffer;
      }>;
      for (const row of rows) found.set(row.content_hash, fromFloat32Blob(row.vector));
    }
    return found;
  }
}
