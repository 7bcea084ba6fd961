import { mkdirSync } from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { Database } from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";

/**
 * Opens the code index's own SQLite file (apart from the bot's state, so a rebuilt index can be
 * deleted without losing runs and jobs) with sqlite-vec loaded. WAL lets a search read while
 * the indexer writes; `busy_timeout` covers the CLI indexing while the server answers.
 *
 * @example
 * const db = openIndexDatabase(path.join(dataDir, "index.db"));
 */
export function openIndexDatabase(file: string): Database {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    sqliteVec.load(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
