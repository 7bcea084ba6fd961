import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteIndexStore } from "../../src/index/store/sqlite-index-store.js";
import { axisVector, defineStoreSuite, makeChunk } from "./store-suite.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "sqlite-index-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

defineStoreSuite("SqliteIndexStore", async (slot) => new SqliteIndexStore(path.join(dir, `${slot}.db`)));

describe("SqliteIndexStore's file", () => {
  it("is in WAL mode with sqlite-vec loaded, one table set per repository space", async () => {
    const file = path.join(dir, "layout", "index.db");
    const store = new SqliteIndexStore(file);
    try {
      expect(store.database.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(store.database.prepare("SELECT vec_version()").pluck().get()).toMatch(/^v0\.1\./);
      await store.open("a/b", "m", 4);
      await store.upsert("a/b", [{ chunk: makeChunk({ id: "x" }), vector: axisVector(0, 4) }], "main");
      await store.open("a/b", "m2", 4);
      const tables = store.database.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'chunks_%'").pluck().all();
      // Re-opening with another model drops the old space's tables rather than leaving them behind.
      expect(tables).toEqual(["chunks_2"]);
    } finally {
      await store.close();
    }
  });
});
