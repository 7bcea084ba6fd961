import { mkdirSync } from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { Database } from "better-sqlite3";
import { migrations } from "./migrations.js";

export type { Database };

/**
 * Opens (and migrates) the embedded state database. WAL mode lets the webhook handler insert a
 * job while a worker holds a read transaction; `busy_timeout` covers a second process (the CLI)
 * touching the same file.
 */
export function openDatabase(dataDir: string, fileName = "coder-bot.db"): Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new BetterSqlite3(path.join(dataDir, fileName));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  // The automatic checkpoint syncs to disk inside whichever write crosses the threshold, often a
  // webhook's enqueue; checkpoint on a timer instead, off the acknowledgement path.
  db.pragma("wal_autocheckpoint = 0");
  const timer = setInterval(() => {
    if (db.open) db.pragma("wal_checkpoint(PASSIVE)");
  }, 5_000);
  timer.unref();
  migrate(db);
  return db;
}

function migrate(db: Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let version = current; version < migrations.length; version++) {
    const step = migrations[version];
    if (step === undefined) break;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
