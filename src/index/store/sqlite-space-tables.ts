import type { Database } from "better-sqlite3";

/**
 * Each repository's space has its own four tables, named after the space's integer id rather
 * than the repository (whose name may hold `/`, quotes and anything else): the dimension of a
 * `vec0` table is fixed when it is created, and bm25's statistics stay per repository. The
 * `index_spaces` table maps repository names to ids.
 */
export interface SpaceTables {
  /** id (the chunk id), path, language, lines, kind, symbols (JSON), signature, text, content hash. */
  readonly chunks: string;
  /** (tag, chunk rowid): which branches hold a chunk. */
  readonly tags: string;
  /** FTS5 over the split terms of path, symbols and text; rowid = the chunk's rowid. */
  readonly fts: string;
  /** sqlite-vec `vec0`, cosine; rowid = the chunk's rowid. */
  readonly vectors: string;
}

export function spaceTables(spaceId: number): SpaceTables {
  if (!Number.isSafeInteger(spaceId) || spaceId < 1) throw new Error(`not a space id: ${spaceId}`);
  return { chunks: `chunks_${spaceId}`, tags: `tags_${spaceId}`, fts: `fts_${spaceId}`, vectors: `vectors_${spaceId}` };
}

/** The catalog of spaces; `user_version` counts the steps applied. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE index_spaces (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    repo        TEXT NOT NULL UNIQUE,
    model       TEXT NOT NULL,
    dimensions  INTEGER NOT NULL CHECK (dimensions > 0),
    created_at  INTEGER NOT NULL
  );
  `,
];

export function migrateIndexDatabase(db: Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    const step = MIGRATIONS[version];
    if (step === undefined) break;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

export function createSpaceTables(db: Database, spaceId: number, dimensions: number): void {
  if (!Number.isSafeInteger(dimensions) || dimensions < 1) throw new Error(`not a vector dimension: ${dimensions}`);
  const t = spaceTables(spaceId);
  db.exec(`
    CREATE TABLE ${t.chunks} (
      rowid         INTEGER PRIMARY KEY,
      id            TEXT NOT NULL UNIQUE,
      path          TEXT NOT NULL,
      language      TEXT,
      start_line    INTEGER NOT NULL,
      end_line      INTEGER NOT NULL,
      kind          TEXT NOT NULL,
      symbols       TEXT NOT NULL,
      signature     TEXT,
      text          TEXT NOT NULL,
      content_hash  TEXT NOT NULL
    );
    CREATE TABLE ${t.tags} (
      tag    TEXT NOT NULL,
      chunk  INTEGER NOT NULL,
      PRIMARY KEY (tag, chunk)
    ) WITHOUT ROWID;
    CREATE INDEX ${t.tags}_chunk ON ${t.tags} (chunk);
    -- Contentless: the split terms are only ever matched, never read back. '_' is part of a
    -- token so snake_case names are indexed whole as well as by the parts written beside them.
    CREATE VIRTUAL TABLE ${t.fts} USING fts5(
      path, symbols, body,
      tokenize = "unicode61 remove_diacritics 2 tokenchars '_'",
      content = '', contentless_delete = 1
    );
    CREATE VIRTUAL TABLE ${t.vectors} USING vec0(embedding float[${dimensions}] distance_metric=cosine);
  `);
}

export function dropSpaceTables(db: Database, spaceId: number): void {
  const t = spaceTables(spaceId);
  db.exec(`
    DROP TABLE IF EXISTS ${t.vectors};
    DROP TABLE IF EXISTS ${t.fts};
    DROP TABLE IF EXISTS ${t.tags};
    DROP TABLE IF EXISTS ${t.chunks};
  `);
}
