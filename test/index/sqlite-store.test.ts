import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteIndexStore } from "../../src/index/store/sqlite-index-store.js";
import type { SearchHit } from "../../src/index/types.js";
import { axisVector, defineStoreSuite, makeChunk } from "./store-suite.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "sqlite-index-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

defineStoreSuite("SqliteIndexStore", (slot) => Promise.resolve(new SqliteIndexStore(path.join(dir, `${slot}.db`))));

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

describe("SqliteIndexStore's vectors in memory", () => {
  const repo = "acme/widgets";
  const dimensions = 8;
  const ids = (hits: readonly SearchHit[]) => hits.map((hit) => hit.chunk.id);
  const item = (id: string, axis: number, lean = 0.1) => ({
    chunk: makeChunk({ id, text: `function f_${id}() {}` }),
    vector: axisVector(axis, dimensions, lean),
  });

  it("follows its own writes once the vectors are loaded: the same answers as a store that reads the file afresh", async () => {
    const file = path.join(dir, "follow", "index.db");
    const store = new SqliteIndexStore(file);
    try {
      await store.open(repo, "m", dimensions);
      await store.upsert(repo, [item("a", 0), item("b", 1), item("c", 2), item("d", 3)], "main");
      const queries = [0, 1, 2, 3, 4].map((axis) => axisVector(axis, dimensions, 0.3));
      const agrees = async (step: string) => {
        const fresh = new SqliteIndexStore(file);
        try {
          for (const tag of ["main", "release"]) {
            for (const query of queries) {
              expect(await store.nearest(repo, query, 10, tag), `${step}, ${tag}`).toEqual(await fresh.nearest(repo, query, 10, tag));
            }
          }
        } finally {
          await fresh.close();
        }
      };
      await agrees("loaded");
      expect(ids(await store.nearest(repo, axisVector(1, dimensions), 1, "main"))).toEqual(["b"]);

      await store.upsert(repo, [item("e", 4), { ...item("a", 0), vector: axisVector(5, dimensions) }], "main");
      await agrees("after an upsert that adds one chunk and moves another");
      expect(ids(await store.nearest(repo, axisVector(5, dimensions), 1, "main"))).toEqual(["a"]);

      await store.addTag(repo, ["b", "c"], "release");
      await agrees("after addTag");
      expect(ids(await store.nearest(repo, axisVector(0, dimensions), 10, "release")).sort()).toEqual(["b", "c"]);

      await store.removeTag(repo, ["b", "c"], "main");
      await agrees("after removeTag, which leaves b and c under release only");
      await store.removeTag(repo, ["b"], "release");
      await agrees("after removeTag, which deletes b");
      expect(await store.get(repo, ["b"])).toEqual([]);

      await store.delete(repo, ["c", "d"]);
      await agrees("after delete");
      expect(ids(await store.nearest(repo, axisVector(0, dimensions), 10, "main")).sort()).toEqual(["a", "e"]);
      expect(await store.nearest(repo, axisVector(0, dimensions), 10, "release")).toEqual([]);

      await store.open(repo, "another-model", dimensions);
      expect(await store.nearest(repo, axisVector(0, dimensions), 10, "main")).toEqual([]);
      await store.upsert(repo, [item("z", 7)], "main");
      expect(ids(await store.nearest(repo, axisVector(0, dimensions), 10, "main"))).toEqual(["z"]);
    } finally {
      await store.close();
    }
  });

  it("sees what another connection committed since its vectors were loaded", async () => {
    const file = path.join(dir, "two-connections", "index.db");
    const server = new SqliteIndexStore(file);
    const cli = new SqliteIndexStore(file);
    try {
      await cli.open(repo, "m", dimensions);
      await cli.upsert(repo, [item("a", 0), item("b", 1)], "main");
      expect(ids(await server.nearest(repo, axisVector(2, dimensions), 1, "main"))).toEqual(["b"]);

      await cli.upsert(repo, [item("c", 2)], "main");
      expect(ids(await server.nearest(repo, axisVector(2, dimensions), 1, "main"))).toEqual(["c"]);

      await cli.upsert(repo, [{ ...item("a", 0), vector: axisVector(3, dimensions) }], "main");
      expect(ids(await server.nearest(repo, axisVector(3, dimensions), 1, "main"))).toEqual(["a"]);

      await cli.delete(repo, ["c"]);
      expect(ids(await server.nearest(repo, axisVector(2, dimensions), 3, "main")).sort()).toEqual(["a", "b"]);

      await cli.addTag(repo, ["b"], "release");
      expect(ids(await server.nearest(repo, axisVector(0, dimensions), 3, "release"))).toEqual(["b"]);

      // Another model: a new space with another dimension, which the server must not answer from the old one.
      await cli.open(repo, "m2", 4);
      await cli.upsert(repo, [{ chunk: makeChunk({ id: "n" }), vector: axisVector(0, 4) }], "main");
      expect(ids(await server.nearest(repo, axisVector(0, 4), 3, "main"))).toEqual(["n"]);
    } finally {
      await cli.close();
      await server.close();
    }
  });

  it("filters lexical hits by tag whether the space holds one tag or several", async () => {
    const store = new SqliteIndexStore(path.join(dir, "lexical-tags", "index.db"));
    try {
      await store.open(repo, "m", dimensions);
      const chunk = (id: string) => ({
        chunk: makeChunk({ id, symbols: ["tokenizeInput"], text: `function tokenizeInput_${id}() {}` }),
        vector: axisVector(0, dimensions),
      });
      await store.upsert(repo, [chunk("a"), chunk("b")], "main");
      expect(ids(await store.lexical(repo, "tokenizeInput", 10, "main")).sort()).toEqual(["a", "b"]);
      // A tag sorting before, between and after the one there is.
      for (const other of ["alpha", "m", "zeta"]) expect(await store.lexical(repo, "tokenizeInput", 10, other)).toEqual([]);
      await store.addTag(repo, ["b"], "zeta");
      expect(ids(await store.lexical(repo, "tokenizeInput", 10, "zeta"))).toEqual(["b"]);
      expect(ids(await store.lexical(repo, "tokenizeInput", 10, "main")).sort()).toEqual(["a", "b"]);
      await store.removeTag(repo, ["a", "b"], "main");
      expect(ids(await store.lexical(repo, "tokenizeInput", 10, "zeta"))).toEqual(["b"]);
      expect(await store.lexical(repo, "tokenizeInput", 10, "main")).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
