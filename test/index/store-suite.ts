import { createHash, randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { IndexStoreError } from "../../src/index/store/index-store-error.js";
import type { Chunk, IndexStore } from "../../src/index/types.js";
import { seededVectors } from "../support/vectors.js";

/** A chunk with sensible defaults; the content hash follows the text unless given. */
export function makeChunk(over: Partial<Chunk> & { readonly id: string }): Chunk {
  const text = over.text ?? `// chunk ${over.id}\n`;
  return {
    path: "src/example.ts",
    language: "TypeScript",
    startLine: 1,
    endLine: text.split("\n").length,
    kind: "function",
    symbols: [],
    signature: null,
    contentHash: createHash("sha256").update(text).digest("hex"),
    ...over,
    text,
  };
}

/** A unit vector pointing mostly along `axis`, with a little of its neighbour so no two are parallel. */
export function axisVector(axis: number, dimensions: number, lean = 0.1): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  vector[axis % dimensions] = 1;
  vector[(axis + 1) % dimensions] = lean;
  return vector;
}

const DIMENSIONS = 8;
const MODEL = "test-model";
const RUN = randomBytes(3).toString("hex");

export interface StoreSuiteOptions {
  /** When set, the whole suite is reported as skipped with this reason in its name. */
  readonly skip?: string;
}

/**
 * The behaviour every `IndexStore` must show. `makeStore(slot)` returns a store; two calls with
 * the same slot must reach the same data (a restart). Repository names are unique per test and
 * per run, so a shared backend (a live Qdrant) needs no cleaning between tests.
 */
export function defineStoreSuite(name: string, makeStore: (slot: string) => Promise<IndexStore>, options: StoreSuiteOptions = {}): void {
  if (options.skip !== undefined) {
    describe.skip(`${name} (skipped: ${options.skip})`, () => {
      it("runs the store suite", () => undefined);
    });
    return;
  }

  describe(name, () => {
    let opened: IndexStore[] = [];
    let testNumber = 0;
    let slot = "";

    const fresh = async (): Promise<IndexStore> => {
      const store = await makeStore(slot);
      opened.push(store);
      return store;
    };
    /** A repository name unique to this test and run, with the characters real names bring. */
    const repoName = (base = "acme/widgets"): string => `${base}-${RUN}-${slot}`;
    const openedStore = async (repo: string, dimensions = DIMENSIONS): Promise<IndexStore> => {
      const store = await fresh();
      await store.open(repo, MODEL, dimensions);
      return store;
    };

    afterEach(async () => {
      await Promise.all(opened.map((store) => store.close()));
      opened = [];
    });
    const nextSlot = (): void => {
      testNumber += 1;
      slot = `t${testNumber}`;
    };

    it("upserts chunks and gets them back as they were, in the order asked", async () => {
      nextSlot();
      const repo = repoName();
      const store = await openedStore(repo);
      const first = makeChunk({
        id: "c1",
        path: "src/config/loader.ts",
        startLine: 10,
        endLine: 24,
        kind: "method",
        symbols: ["ConfigLoader", "load"],
        signature: "async load(path: string): Promise<Config>",
        text: "async load(path: string): Promise<Config> {\n  return parse(await readFile(path, 'utf8'));\n}",
      });
      const second = makeChunk({ id: "c2", language: null, kind: "lines", path: "README.md", text: "# Widgets\n" });
      await store.upsert(
        repo,
        [
          { chunk: first, vector: axisVector(0, DIMENSIONS) },
          { chunk: second, vector: axisVector(1, DIMENSIONS) },
        ],
        "main",
      );
      expect(await store.get(repo, ["c2", "missing", "c1"])).toEqual([second, first]);
      expect(await store.get(repo, [])).toEqual([]);
    });

    it("finds a chunk lexically by a camelCase or snake_case part of an identifier and by a path segment", async () => {
      nextSlot();
      const repo = repoName();
      const store = await openedStore(repo);
      const chunks = [
        makeChunk({
          id: "loader",
          path: "src/config/config-loader.ts",
          symbols: ["ConfigLoader", "parseConfigFile"],
          text: "export function parseConfigFile(filePath: string): Config {\n  return JSON.parse(readFileSync(filePath, 'utf8'));\n}",
        }),
        makeChunk({
          id: "settings",
          path: "lib/accounts/user_store.py",
          language: "Python",
          symbols: ["read_user_settings"],
          text: "def read_user_settings(user_id):\n    return db.fetch_one(SETTINGS_QUERY, user_id)\n",
        }),
        makeChunk({
          id: "server",
          path: "src/http/server.ts",
          symbols: ["startServer"],
          text: "export function startServer(port: number) {\n  return app.server.listen(port);\n}",
        }),
        makeChunk({
          id: "codec",
          path: "src/codec/text.ts",
          symbols: ["base64Decode"],
          text: "export const base64Decode = (text: string) => Buffer.from(text, 'base64');",
        }),
      ];
      await store.upsert(
        repo,
        chunks.map((chunk, index) => ({ chunk, vector: axisVector(index, DIMENSIONS) })),
        "main",
      );
      const top = async (query: string): Promise<string | undefined> => (await store.lexical(repo, query, 5, "main"))[0]?.chunk.id;
      expect(await top("parse")).toBe("loader"); // camelCase part
      expect(await top("ConfigFile")).toBe("loader");
      expect(await top("settings")).toBe("settings"); // snake_case part
      expect(await top("read_user_settings")).toBe("settings"); // the whole name
      expect(await top("user")).toBe("settings"); // a part of a path segment and of a name
      expect(await top("http")).toBe("server"); // a directory
      expect(await top("loader")).toBe("loader"); // a kebab-case file name
      expect(await top("listen")).toBe("server"); // a dotted call
      expect(await top("base64")).toBe("codec"); // digits inside a name
      expect(await top("decode")).toBe("codec");
      expect(await store.lexical(repo, "nothing-like-this-anywhere", 5, "main")).toEqual([]);
      const hits = await store.lexical(repo, "config", 5, "main");
      expect(hits[0]?.chunk).toEqual(chunks[0]);
      expect(hits.every((hit, index) => index === 0 || (hits[index - 1]?.score ?? 0) >= hit.score)).toBe(true);
      expect(await store.lexical(repo, "config", 0, "main")).toEqual([]);
    });

    it("ranks an exact vector first, best first", async () => {
      nextSlot();
      const repo = repoName();
      const store = await openedStore(repo);
      const items = Array.from({ length: 6 }, (_, index) => ({
        chunk: makeChunk({ id: `v${index}` }),
        vector: axisVector(index, DIMENSIONS),
      }));
      await store.upsert(repo, items, "main");
      const hits = await store.nearest(repo, axisVector(3, DIMENSIONS), 3, "main");
      expect(hits.map((hit) => hit.chunk.id)[0]).toBe("v3");
      expect(hits).toHaveLength(3);
      expect(hits[0]?.score).toBeCloseTo(1, 4);
      expect(hits.every((hit, index) => index === 0 || (hits[index - 1]?.score ?? 0) >= hit.score)).toBe(true);
      // A scaled query is the same direction: cosine, not Euclidean distance.
      expect(
        (
          await store.nearest(
            repo,
            axisVector(3, DIMENSIONS).map((x) => x * 7),
            1,
            "main",
          )
        )[0]?.chunk.id,
      ).toBe("v3");
    });

    it("keeps branches apart by tag", async () => {
      nextSlot();
      const repo = repoName();
      const store = await openedStore(repo);
      await store.upsert(
        repo,
        [
          {
            chunk: makeChunk({ id: "m", symbols: ["sharedHelper"], text: "function sharedHelper() {}" }),
            vector: axisVector(0, DIMENSIONS),
          },
        ],
        "main",
      );
      await store.upsert(
        repo,
        [
          {
            chunk: makeChunk({ id: "f", symbols: ["sharedHelper"], text: "function sharedHelper() { return 2 }" }),
            vector: axisVector(0, DIMENSIONS, 0.2),
          },
        ],
        "feature/x",
      );
      expect((await store.lexical(repo, "sharedHelper", 10, "main")).map((hit) => hit.chunk.id)).toEqual(["m"]);
      expect((await store.lexical(repo, "sharedHelper", 10, "feature/x")).map((hit) => hit.chunk.id)).toEqual(["f"]);
      expect((await store.nearest(repo, axisVector(0, DIMENSIONS), 10, "feature/x")).map((hit) => hit.chunk.id)).toEqual(["f"]);
      expect(await store.nearest(repo, axisVector(0, DIMENSIONS), 10, "no-such-branch")).toEqual([]);
      expect(await store.count(repo, "main")).toBe(1);
      expect(await store.count(repo, "feature/x")).toBe(1);
      expect(await store.count(repo)).toBe(2);
    });

    it("adds and removes tags, and a chunk left with no tag is gone", async () => {
      nextSlot();
      const repo = repoName();
      const store = await openedStore(repo);
      const chunk = makeChunk({ id: "shared", symbols: ["tokenize"], text: "export function tokenize(input: string) {}" });
      await store.upsert(repo, [{ chunk, vector: axisVector(2, DIMENSIONS) }], "main");
      await store.addTag(repo, ["shared", "not-there"], "release");
      expect(await store.count(repo, "release")).toBe(1);
      expect((await store.lexical(repo, "tokenize", 5, "release")).map((hit) => hit.chunk.id)).toEqual(["shared"]);
      await store.addTag(repo, ["shared"], "release"); // twice is once
      expect(await store.count(repo, "release")).toBe(1);

      await store.removeTag(repo, ["shared"], "main");
      expect(await store.count(repo, "main")).toBe(0);
      expect(await store.lexical(repo, "tokenize", 5, "main")).toEqual([]);
      expect(await store.get(repo, ["shared"])).toEqual([chunk]);

      await store.removeTag(repo, ["shared", "not-there"], "release");
      expect(await store.get(repo, ["shared"])).toEqual([]);
      expect(await store.count(repo)).toBe(0);
      expect(await store.nearest(repo, axisVector(2, DIMENSIONS), 5, "release")).toEqual([]);
    });

    it("deletes chunks from every view", async () => {
      nextSlot();
      const repo = repoName();
      const store = await openedStore(repo);
      await store.upsert(
        repo,
        ["a", "b", "c"].map((id, index) => ({
          chunk: makeChunk({ id, text: `function handler_${id}() {}` }),
          vector: axisVector(index, DIMENSIONS),
        })),
        "main",
      );
      await store.delete(repo, ["b", "unknown"]);
      expect((await store.get(repo, ["a", "b", "c"])).map((chunk) => chunk.id)).toEqual(["a", "c"]);
      expect(await store.count(repo, "main")).toBe(2);
      expect((await store.lexical(repo, "handler_b", 5, "main")).map((hit) => hit.chunk.id)).not.toContain("b");
      expect((await store.nearest(repo, axisVector(1, DIMENSIONS), 5, "main")).map((hit) => hit.chunk.id)).not.toContain("b");
      await store.delete(repo, []);
      expect(await store.count(repo)).toBe(2);
    });

    it("empties a repository's space when it is re-opened with another model or dimension, and only then", async () => {
      nextSlot();
      const repo = repoName();
      const store = await openedStore(repo);
      const item = { chunk: makeChunk({ id: "x" }), vector: axisVector(0, DIMENSIONS) };
      await store.upsert(repo, [item], "main");
      expect(await store.open(repo, MODEL, DIMENSIONS)).toBe(false);
      expect(await store.count(repo)).toBe(1);

      expect(await store.open(repo, "another-model", DIMENSIONS)).toBe(true);
      expect(await store.count(repo)).toBe(0);
      expect(await store.get(repo, ["x"])).toEqual([]);
      await store.upsert(repo, [item], "main");
      expect(await store.count(repo)).toBe(1);

      expect(await store.open(repo, "another-model", 16)).toBe(true);
      expect(await store.count(repo)).toBe(0);
      await store.upsert(repo, [{ chunk: item.chunk, vector: axisVector(0, 16) }], "main");
      expect((await store.nearest(repo, axisVector(0, 16), 1, "main"))[0]?.chunk.id).toBe("x");
      await expect(store.upsert(repo, [item], "main")).rejects.toSatisfy(
        (error: unknown) => error instanceof IndexStoreError && error.reason === "dimension-mismatch",
      );
    });

    it("refuses an upsert before the repository's space is opened, and reads an unknown one as empty", async () => {
      nextSlot();
      const repo = repoName("acme/never-opened");
      const store = await fresh();
      await expect(store.upsert(repo, [{ chunk: makeChunk({ id: "x" }), vector: axisVector(0, DIMENSIONS) }], "main")).rejects.toSatisfy(
        (error: unknown) => error instanceof IndexStoreError && error.reason === "not-open",
      );
      expect(await store.count(repo)).toBe(0);
      expect(await store.get(repo, ["x"])).toEqual([]);
      expect(await store.lexical(repo, "x", 5, "main")).toEqual([]);
      expect(await store.nearest(repo, axisVector(0, DIMENSIONS), 5, "main")).toEqual([]);
      await store.removeTag(repo, ["x"], "main");
      await store.delete(repo, ["x"]);
    });

    it("keeps two repositories apart, whatever characters their names hold", async () => {
      nextSlot();
      const one = repoName("acme/widgets");
      const two = repoName(`o'neil/"quoted" repo; DROP TABLE chunks;--/ü`);
      const store = await fresh();
      await store.open(one, MODEL, DIMENSIONS);
      await store.open(two, "other-model", 4);
      await store.upsert(
        one,
        [{ chunk: makeChunk({ id: "same", text: "function alphawidget() {}" }), vector: axisVector(0, DIMENSIONS) }],
        "main",
      );
      await store.upsert(two, [{ chunk: makeChunk({ id: "same", text: "function betagadget() {}" }), vector: axisVector(0, 4) }], "main");
      expect((await store.get(one, ["same"]))[0]?.text).toBe("function alphawidget() {}");
      expect((await store.get(two, ["same"]))[0]?.text).toBe("function betagadget() {}");
      expect(await store.lexical(one, "betagadget", 5, "main")).toEqual([]);
      expect((await store.lexical(two, "betagadget", 5, "main")).map((hit) => hit.chunk.id)).toEqual(["same"]);
      await store.delete(one, ["same"]);
      expect(await store.count(one)).toBe(0);
      expect(await store.count(two)).toBe(1);
    });

    it("keeps one chunk when the same id is upserted twice, with the later content and both tags", async () => {
      nextSlot();
      const repo = repoName();
      const store = await openedStore(repo);
      await store.upsert(
        repo,
        [{ chunk: makeChunk({ id: "dup", text: "function legacyHandler() {}" }), vector: axisVector(0, DIMENSIONS) }],
        "main",
      );
      const later = makeChunk({ id: "dup", text: "function modernWidget() {}" });
      await store.upsert(repo, [{ chunk: later, vector: axisVector(4, DIMENSIONS) }], "feature");
      await store.upsert(
        repo,
        [
          { chunk: later, vector: axisVector(4, DIMENSIONS) },
          { chunk: later, vector: axisVector(4, DIMENSIONS) },
        ],
        "feature",
      );
      expect(await store.count(repo)).toBe(1);
      expect(await store.get(repo, ["dup"])).toEqual([later]);
      expect(await store.lexical(repo, "legacyHandler", 5, "main")).toEqual([]);
      expect((await store.lexical(repo, "modernWidget", 5, "main")).map((hit) => hit.chunk.id)).toEqual(["dup"]);
      expect((await store.nearest(repo, axisVector(4, DIMENSIONS), 1, "feature"))[0]?.score).toBeCloseTo(1, 4);
      expect(await store.count(repo, "main")).toBe(1);
      expect(await store.count(repo, "feature")).toBe(1);
    });

    it("counts chunks per repository and per tag", async () => {
      nextSlot();
      const repo = repoName();
      const store = await openedStore(repo);
      expect(await store.count(repo)).toBe(0);
      const items = Array.from({ length: 7 }, (_, index) => ({
        chunk: makeChunk({ id: `n${index}` }),
        vector: axisVector(index, DIMENSIONS),
      }));
      await store.upsert(repo, items.slice(0, 5), "main");
      await store.upsert(repo, items.slice(3), "dev");
      expect(await store.count(repo)).toBe(7);
      expect(await store.count(repo, "main")).toBe(5);
      expect(await store.count(repo, "dev")).toBe(4);
      expect(await store.count(repo, "nope")).toBe(0);
    });

    it("takes queries full of search syntax as plain words", async () => {
      nextSlot();
      const repo = repoName();
      const store = await openedStore(repo);
      await store.upsert(
        repo,
        [
          {
            chunk: makeChunk({ id: "q", path: "src/near.ts", text: "function NEAR(a, b) { return a AND b OR NOT c }" }),
            vector: axisVector(0, DIMENSIONS),
          },
        ],
        "main",
      );
      const nasty = [
        '"',
        '"unterminated',
        "*",
        "foo*",
        "-",
        "-foo",
        "path:src",
        "a:b:c",
        "NEAR(a b)",
        "AND",
        "OR NOT",
        "^start",
        "(",
        ")",
        "{}",
        "a + b",
        "'",
        "\\",
        "",
        "   ",
        "🙂",
        "col:*",
        'x" OR "y',
        "NOT",
      ];
      for (const query of nasty) {
        await expect(store.lexical(repo, query, 5, "main"), query).resolves.toBeInstanceOf(Array);
      }
      expect((await store.lexical(repo, "NEAR(a b)", 5, "main"))[0]?.chunk.id).toBe("q");
      expect((await store.lexical(repo, "-AND", 5, "main"))[0]?.chunk.id).toBe("q");
    });

    it("sees what an earlier instance wrote (a restart)", async () => {
      nextSlot();
      const repo = repoName();
      const before = await openedStore(repo);
      await before.upsert(
        repo,
        [{ chunk: makeChunk({ id: "kept", text: "function persisted() {}" }), vector: axisVector(0, DIMENSIONS) }],
        "main",
      );
      await before.close();
      const after = await fresh();
      expect((await after.get(repo, ["kept"]))[0]?.text).toBe("function persisted() {}");
      expect((await after.lexical(repo, "persisted", 5, "main"))[0]?.chunk.id).toBe("kept");
      await after.upsert(repo, [{ chunk: makeChunk({ id: "more" }), vector: axisVector(1, DIMENSIONS) }], "main");
      expect(await after.count(repo)).toBe(2);
    });

    it("handles a large batch: 5,000 chunks in one upsert", async () => {
      nextSlot();
      const repo = repoName();
      const dimensions = 64;
      const store = await openedStore(repo, dimensions);
      const vectors = seededVectors(5_000, dimensions, 42);
      const items = vectors.map((vector, index) => ({
        chunk: makeChunk({
          id: `chunk-${index}`,
          path: `src/module${index % 50}/file${index % 7}.ts`,
          symbols: [`Service${index % 50}`, `handleRequest${index}`],
          text: `export function handleRequest${index}(request: Request) {\n  return process_item_${index}(request.body, ${index});\n}`,
        }),
        vector,
      }));
      await store.upsert(repo, items, "main");
      expect(await store.count(repo)).toBe(5_000);
      expect(await store.count(repo, "main")).toBe(5_000);
      expect((await store.lexical(repo, "handleRequest4321", 3, "main"))[0]?.chunk.id).toBe("chunk-4321");
      expect((await store.lexical(repo, "process_item_17", 3, "main"))[0]?.chunk.id).toBe("chunk-17");
      expect((await store.nearest(repo, vectors[2_500] ?? [], 5, "main"))[0]?.chunk.id).toBe("chunk-2500");
      const ids = items.slice(0, 2_000).map((item) => item.chunk.id);
      await store.addTag(repo, ids, "release");
      expect(await store.count(repo, "release")).toBe(2_000);
      expect((await store.nearest(repo, vectors[1_999] ?? [], 1, "release"))[0]?.chunk.id).toBe("chunk-1999");
      expect((await store.get(repo, ids)).length).toBe(2_000);
      await store.removeTag(repo, ids, "main");
      expect(await store.count(repo)).toBe(5_000);
      await store.removeTag(repo, ids, "release");
      expect(await store.count(repo)).toBe(3_000);
    }, 120_000);
  });
}
