import type { Database, Statement } from "better-sqlite3";
import type { Chunk, IndexStore, SearchHit } from "../types.js";
import { chunkFromRow, type ChunkRow } from "./chunk-row.js";
import { toFloat32Blob } from "./float32-blob.js";
import { ftsMatchExpression } from "./fts-query.js";
import { inRequestedOrder } from "./in-requested-order.js";
import { dimensionError, notOpenError } from "./index-store-error.js";
import { lexicalFields } from "./lexical-fields.js";
import { openIndexDatabase } from "./open-index-database.js";
import { createSpaceTables, dropSpaceTables, migrateIndexDatabase, spaceTables, type SpaceTables } from "./sqlite-space-tables.js";
import { VectorMatrix } from "./vector-matrix.js";
import { settled } from "../../store/settled.js";

interface Space {
  readonly id: number;
  readonly model: string;
  readonly dimensions: number;
  readonly tables: SpaceTables;
}

/** A space's vectors as loaded into memory, and the chunks of each tag asked about since. */
interface LoadedVectors {
  readonly matrix: VectorMatrix;
  /** Chunk rowids by tag, each read when it is first asked about. */
  readonly tags: Map<string, Set<number>>;
}

/** bm25 weights of the FTS columns (path, symbols, body): a name or a path segment outweighs a mention. */
const BM25_WEIGHTS = "4.0, 6.0, 1.0";
const CHUNK_COLUMNS = "c.rowid, c.id, c.path, c.language, c.start_line, c.end_line, c.kind, c.symbols, c.signature, c.text, c.content_hash";

/**
 * The embedded index store: one SQLite file with FTS5 for lexical search and sqlite-vec for
 * vectors. Each repository gets its own tables, named by an integer space id (see
 * `sqlite-space-tables.ts`), so any repository name is safe and each space keeps its dimension.
 *
 * Lexical search indexes the split terms of each chunk (`lexical-fields.ts`: every identifier
 * with its camelCase / snake_case / digit parts, path segments) and queries them split the same
 * way, OR-ed and ranked by bm25 with path and symbols weighted above the body.
 *
 * Vectors are kept in `vec0`, but nearest search reads them from memory: a space's vectors are
 * loaded into a `VectorMatrix` on its first nearest search and scanned exactly there, restricted
 * to the tag's chunks, so a branch never comes back short because other branches' chunks took
 * the first places. sqlite-vec's own KNN took 80 ms at 50,000 chunks, the matrix 5. This
 * store's own writes are applied to the matrix as they commit; once another connection (the CLI
 * indexing while the server answers) has committed anything, which `PRAGMA data_version` tells
 * at the cost of one read per search, the matrix is loaded again: about 2 s at 50,000 chunks,
 * as `vec0` hands out its vectors one row at a time.
 *
 * @example
 * const store = new SqliteIndexStore(path.join(dataDir, "index.db"));
 * await store.open("acme/widgets", "use-lite", 512);
 * await store.upsert("acme/widgets", [{ chunk, vector }], "main");
 * const hits = await store.lexical("acme/widgets", "parseConfig", 10, "main");
 */
export class SqliteIndexStore implements IndexStore {
  /** The open database, for an `EmbeddingCache` that shares the file. */
  readonly database: Database;
  readonly #statements = new Map<string, Statement>();
  /** By space id. */
  readonly #loaded = new Map<number, LoadedVectors>();
  /** `PRAGMA data_version` when `#loaded` was last known to be current. */
  #dataVersion: number | undefined;

  constructor(file: string) {
    this.database = openIndexDatabase(file);
    try {
      migrateIndexDatabase(this.database);
    } catch (error) {
      this.database.close();
      throw error;
    }
  }

  open(repo: string, model: string, dimensions: number): Promise<boolean> {
    return settled(() => {
      const db = this.database;
      return db
        .transaction(() => {
          const space = this.#space(repo);
          if (space !== undefined && space.model === model && space.dimensions === dimensions) return false;
          if (space !== undefined) {
            this.#loaded.delete(space.id);
            dropSpaceTables(db, space.id);
            this.#statements.clear();
            db.prepare("DELETE FROM index_spaces WHERE id = ?").run(space.id);
          }
          // A new id rather than the old one: statements prepared for the old tables must never be reused.
          const { lastInsertRowid } = db
            .prepare("INSERT INTO index_spaces (repo, model, dimensions, created_at) VALUES (?, ?, ?, ?)")
            .run(repo, model, dimensions, Date.now());
          createSpaceTables(db, Number(lastInsertRowid), dimensions);
          return true;
        })
        .immediate();
    });
  }

  upsert(repo: string, items: ReadonlyArray<{ readonly chunk: Chunk; readonly vector: readonly number[] }>, tag: string): Promise<void> {
    return settled(() => {
      const space = this.#space(repo);
      if (space === undefined) throw notOpenError(repo);
      for (const { vector } of items) if (vector.length !== space.dimensions) throw dimensionError(repo, space.dimensions, vector.length);
      const t = space.tables;
      const upsertChunk = this.#prepare(`
        INSERT INTO ${t.chunks} (id, path, language, start_line, end_line, kind, symbols, signature, text, content_hash)
        VALUES (@id, @path, @language, @startLine, @endLine, @kind, @symbols, @signature, @text, @contentHash)
        ON CONFLICT (id) DO UPDATE SET path = excluded.path, language = excluded.language, start_line = excluded.start_line,
          end_line = excluded.end_line, kind = excluded.kind, symbols = excluded.symbols, signature = excluded.signature,
          text = excluded.text, content_hash = excluded.content_hash
        RETURNING rowid`);
      const deleteTerms = this.#prepare(`DELETE FROM ${t.fts} WHERE rowid = ?`);
      const insertTerms = this.#prepare(`INSERT INTO ${t.fts} (rowid, path, symbols, body) VALUES (?, ?, ?, ?)`);
      const deleteVector = this.#prepare(`DELETE FROM ${t.vectors} WHERE rowid = ?`);
      const insertVector = this.#prepare(`INSERT INTO ${t.vectors} (rowid, embedding) VALUES (?, ?)`);
      const insertTag = this.#prepare(`INSERT OR IGNORE INTO ${t.tags} (tag, chunk) VALUES (?, ?)`);
      const written: Array<{ rowid: number; vector: readonly number[] }> = [];
      this.database
        .transaction(() => {
          for (const { chunk, vector } of items) {
            const { rowid } = upsertChunk.get({
              id: chunk.id,
              path: chunk.path,
              language: chunk.language,
              startLine: chunk.startLine,
              endLine: chunk.endLine,
              kind: chunk.kind,
              symbols: JSON.stringify(chunk.symbols),
              signature: chunk.signature,
              text: chunk.text,
              contentHash: chunk.contentHash,
            }) as { rowid: number };
            const fields = lexicalFields(chunk);
            // Neither FTS5 nor vec0 has an upsert: a replaced chunk's rows go first.
            deleteTerms.run(rowid);
            insertTerms.run(rowid, fields.path, fields.symbols, fields.body);
            deleteVector.run(BigInt(rowid));
            // vec0 takes only integer rowids, and better-sqlite3 binds a JS number as a REAL.
            insertVector.run(BigInt(rowid), toFloat32Blob(vector));
            insertTag.run(tag, rowid);
            written.push({ rowid, vector });
          }
        })
        .immediate();
      this.#follow(space.id, (loaded) => {
        for (const { rowid, vector } of written) loaded.matrix.set(rowid, vector);
        const members = loaded.tags.get(tag);
        if (members !== undefined) for (const { rowid } of written) members.add(rowid);
      });
    });
  }

  addTag(repo: string, ids: readonly string[], tag: string): Promise<void> {
    return settled(() => {
      const space = this.#space(repo);
      if (space === undefined || ids.length === 0) return;
      const t = space.tables;
      this.#prepare(
        `INSERT OR IGNORE INTO ${t.tags} (tag, chunk) SELECT ?, rowid FROM ${t.chunks} WHERE id IN (SELECT value FROM json_each(?))`,
      ).run(tag, JSON.stringify(ids));
      this.#follow(space.id, (loaded) => loaded.tags.delete(tag));
    });
  }

  removeTag(repo: string, ids: readonly string[], tag: string): Promise<void> {
    return settled(() => {
      const space = this.#space(repo);
      if (space === undefined || ids.length === 0) return;
      const t = space.tables;
      const idsJson = JSON.stringify(ids);
      const orphans = this.database
        .transaction(() => {
          this.#prepare(
            `DELETE FROM ${t.tags} WHERE tag = ? AND chunk IN (SELECT rowid FROM ${t.chunks} WHERE id IN (SELECT value FROM json_each(?)))`,
          ).run(tag, idsJson);
          const orphans = this.#prepare(
            `SELECT c.rowid FROM ${t.chunks} c WHERE c.id IN (SELECT value FROM json_each(?)) AND NOT EXISTS (SELECT 1 FROM ${t.tags} g WHERE g.chunk = c.rowid)`,
          )
            .pluck()
            .all(idsJson) as number[];
          this.#deleteRows(t, orphans);
          return orphans;
        })
        .immediate();
      this.#follow(space.id, (loaded) => {
        loaded.tags.delete(tag);
        for (const rowid of orphans) loaded.matrix.remove(rowid);
      });
    });
  }

  delete(repo: string, ids: readonly string[]): Promise<void> {
    return settled(() => {
      const space = this.#space(repo);
      if (space === undefined || ids.length === 0) return;
      const t = space.tables;
      const rowids = this.database
        .transaction(() => {
          const rowids = this.#prepare(`SELECT rowid FROM ${t.chunks} WHERE id IN (SELECT value FROM json_each(?))`)
            .pluck()
            .all(JSON.stringify(ids)) as number[];
          this.#deleteRows(t, rowids);
          return rowids;
        })
        .immediate();
      this.#follow(space.id, (loaded) => {
        for (const rowid of rowids) {
          loaded.matrix.remove(rowid);
          for (const members of loaded.tags.values()) members.delete(rowid);
        }
      });
    });
  }

  lexical(repo: string, query: string, k: number, tag: string): Promise<SearchHit[]> {
    return settled(() => {
      const space = this.#space(repo);
      const match = ftsMatchExpression(query);
      if (space === undefined || match === null || k < 1) return [];
      const t = space.tables;
      // Every chunk has a tag (one left with none is deleted), so when the space holds no other
      // tag the tag's chunks are all of them, and checking each match's tag (a third of the time
      // at 50,000 chunks) can be skipped. Two index seeks tell.
      const alone =
        this.#prepare(
          `SELECT NOT EXISTS (SELECT 1 FROM ${t.tags} WHERE tag < @tag) AND NOT EXISTS (SELECT 1 FROM ${t.tags} WHERE tag > @tag)`,
        )
          .pluck()
          .get({ tag }) === 1;
      // Materialized first: left to itself, the planner drives the join from the tag's rows and
      // runs the full-text query once per row. The best k are chosen before any chunk row is read:
      // a sentence matches most of a large repository, and reading every match's text cost more
      // than the search.
      const rows = this.#prepare(
        `
        WITH matches AS MATERIALIZED (
          SELECT rowid, bm25(${t.fts}, ${BM25_WEIGHTS}) AS rank FROM ${t.fts} WHERE ${t.fts} MATCH @match
        ),
        best AS MATERIALIZED (
          SELECT m.rowid, m.rank FROM matches m
          ${alone ? "" : `WHERE EXISTS (SELECT 1 FROM ${t.tags} g WHERE g.tag = @tag AND g.chunk = m.rowid)`}
          ORDER BY m.rank
          LIMIT @k
        )
        SELECT ${CHUNK_COLUMNS}, -b.rank AS score
        FROM best b JOIN ${t.chunks} c ON c.rowid = b.rowid
        ORDER BY b.rank`,
      ).all(alone ? { match, k: Math.floor(k) } : { match, tag, k: Math.floor(k) }) as Array<ChunkRow & { score: number }>;
      return rows.map((row) => ({ chunk: chunkFromRow(row), score: row.score }));
    });
  }

  nearest(repo: string, vector: readonly number[], k: number, tag: string): Promise<SearchHit[]> {
    return settled(() => {
      const space = this.#space(repo);
      if (space === undefined || k < 1) return [];
      if (vector.length !== space.dimensions) throw dimensionError(repo, space.dimensions, vector.length);
      const loaded = this.#vectors(space);
      let members = loaded.tags.get(tag);
      if (members === undefined) {
        members = new Set(this.#prepare(`SELECT chunk FROM ${space.tables.tags} WHERE tag = ?`).pluck().all(tag) as number[]);
        loaded.tags.set(tag, members);
      }
      if (members.size === 0) return [];
      const tagged = members;
      const best = loaded.matrix.nearest(vector, k, (rowid) => tagged.has(rowid));
      const rows = this.#prepare(
        `SELECT ${CHUNK_COLUMNS} FROM ${space.tables.chunks} c WHERE c.rowid IN (SELECT value FROM json_each(?))`,
      ).all(JSON.stringify(best.map((hit) => hit.id))) as ChunkRow[];
      const byRowid = new Map(rows.map((row) => [row.rowid, row]));
      const hits: SearchHit[] = [];
      for (const { id, score } of best) {
        const row = byRowid.get(id);
        if (row !== undefined) hits.push({ chunk: chunkFromRow(row), score });
      }
      return hits;
    });
  }

  get(repo: string, ids: readonly string[]): Promise<Chunk[]> {
    return settled(() => {
      const space = this.#space(repo);
      if (space === undefined || ids.length === 0) return [];
      const rows = this.#prepare(
        `SELECT ${CHUNK_COLUMNS} FROM ${space.tables.chunks} c WHERE c.id IN (SELECT value FROM json_each(?))`,
      ).all(JSON.stringify(ids)) as ChunkRow[];
      return inRequestedOrder(ids, rows.map(chunkFromRow));
    });
  }

  count(repo: string, tag?: string): Promise<number> {
    return settled(() => {
      const space = this.#space(repo);
      if (space === undefined) return 0;
      const t = space.tables;
      const statement =
        tag === undefined
          ? this.#prepare(`SELECT count(*) FROM ${t.chunks}`)
          : this.#prepare(`SELECT count(*) FROM ${t.tags} WHERE tag = ?`);
      return (tag === undefined ? statement.pluck().get() : statement.pluck().get(tag)) as number;
    });
  }

  close(): Promise<void> {
    return settled(() => {
      this.#statements.clear();
      this.#loaded.clear();
      if (this.database.open) this.database.close();
    });
  }

  /** Read on every call: another process (the CLI) may have re-opened the space with another model. */
  #space(repo: string): Space | undefined {
    const row = this.#prepare("SELECT id, model, dimensions FROM index_spaces WHERE repo = ?").get(repo) as
      { id: number; model: string; dimensions: number } | undefined;
    return row === undefined ? undefined : { ...row, tables: spaceTables(row.id) };
  }

  /** The space's vectors in memory, loaded now if they are not, or if another connection may have changed them. */
  #vectors(space: Space): LoadedVectors {
    const version = this.#prepare("PRAGMA data_version").pluck().get() as number;
    if (version !== this.#dataVersion) {
      this.#loaded.clear();
      this.#dataVersion = version;
    }
    let loaded = this.#loaded.get(space.id);
    if (loaded === undefined) {
      const t = space.tables;
      // One read transaction, so the count that sizes the matrix and the rows that fill it are the same snapshot.
      const matrix = this.database.transaction(() => {
        const count = this.#prepare(`SELECT count(*) FROM ${t.chunks}`).pluck().get() as number;
        const matrix = new VectorMatrix(space.dimensions, { capacity: count });
        for (const [rowid, embedding] of this.#prepare(`SELECT rowid, embedding FROM ${t.vectors}`).raw().iterate() as IterableIterator<
          [number, Buffer]
        >) {
          matrix.setFloat32Bytes(rowid, embedding);
        }
        return matrix;
      })();
      loaded = { matrix, tags: new Map() };
      this.#loaded.set(space.id, loaded);
    }
    return loaded;
  }

  /**
   * Brings a space's loaded vectors in line with what this store has just committed, rather than
   * loading them all again (seconds at 50,000 chunks) after every batch of an index run.
   */
  #follow(spaceId: number, change: (loaded: LoadedVectors) => void): void {
    const loaded = this.#loaded.get(spaceId);
    if (loaded === undefined) return;
    try {
      change(loaded);
    } catch {
      // The write is committed; a matrix that could not follow it is dropped, and the next
      // search loads it again (and reports whatever stopped it, if that happens again).
      this.#loaded.delete(spaceId);
    }
  }

  #deleteRows(t: SpaceTables, rowids: readonly number[]): void {
    const deleteTerms = this.#prepare(`DELETE FROM ${t.fts} WHERE rowid = ?`);
    const deleteVector = this.#prepare(`DELETE FROM ${t.vectors} WHERE rowid = ?`);
    const deleteTags = this.#prepare(`DELETE FROM ${t.tags} WHERE chunk = ?`);
    const deleteChunk = this.#prepare(`DELETE FROM ${t.chunks} WHERE rowid = ?`);
    for (const rowid of rowids) {
      deleteTerms.run(rowid);
      deleteVector.run(BigInt(rowid));
      deleteTags.run(rowid);
      deleteChunk.run(rowid);
    }
  }

  /** Table names come from integer space ids, never from input, so the SQL text is a safe cache key. */
  #prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.database.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
