import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { IndexCatalog } from "../../src/index/catalog.js";
import { chunkFile } from "../../src/index/chunk/chunk-file.js";
import { EmbeddingCache } from "../../src/index/embed/embedding-cache.js";
import { indexRepository } from "../../src/index/indexer.js";
import { scanRepository } from "../../src/index/scan/scan-repository.js";
import { SqliteIndexStore } from "../../src/index/store/sqlite-index-store.js";
import type { Embedder } from "../../src/llm/types.js";
import { openDatabase } from "../../src/store/database.js";

/** Vectors from the texts' lengths, with every text it was asked to embed written down. */
class RecordingEmbedder implements Embedder {
  readonly label: string;
  readonly texts: string[] = [];
  readonly dimensions: number | undefined;
  readonly #size: number;
  constructor(knowsDimensions: boolean, size = 4) {
    this.#size = size;
    this.label = `recording-${size}`;
    this.dimensions = knowsDimensions ? size : undefined;
  }
  embed(texts: readonly string[]): Promise<number[][]> {
    this.texts.push(...texts);
    return Promise.resolve(texts.map((text) => [1, text.length, text.split("\n").length, 0.5, 2, 3].slice(0, this.#size)));
  }
}

describe("the indexer's vector dimension", () => {
  const dirs: string[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const setUp = () => {
    const repo = mkdtempSync(path.join(tmpdir(), "indexer-dims-repo-"));
    const data = mkdtempSync(path.join(tmpdir(), "indexer-dims-data-"));
    dirs.push(repo, data);
    writeFileSync(path.join(repo, "a.js"), "export function alpha() {\n  return 1;\n}\n");
    writeFileSync(path.join(repo, "b.js"), "export function beta() {\n  return 2;\n}\n");
    execFileSync("git", ["init", "-q", "-b", "main"], { cwd: repo });
    execFileSync("git", ["add", "-A"], { cwd: repo });
    const db = openDatabase(data);
    const store = new SqliteIndexStore(path.join(data, "index.db"));
    cleanups.push(
      () => store.close(),
      () => {
        db.close();
      },
    );
    const runWith = (into: SqliteIndexStore, embedder: Embedder) =>
      indexRepository(
        {
          scan: (root) => scanRepository(root),
          chunk: (file) => chunkFile(file),
          store: into,
          embedder,
          vectors: new EmbeddingCache(into.database),
          catalog: new IndexCatalog(db),
        },
        { repoKey: "local:dims", tag: "main", root: repo },
      );
    const run = (embedder: Embedder) => runWith(store, embedder);
    return { repo, data, store, run, runWith };
  };

  it("embeds nothing to learn it from an embedder that knows it, and nothing at all when nothing changed", async () => {
    const { store, run } = setUp();
    const embedder = new RecordingEmbedder(true);
    const first = await run(embedder);
    expect(first.embedded).toBe(2);
    expect(embedder.texts).toHaveLength(2);
    expect((await store.nearest("local:dims", [1, 40, 4, 0.5], 1, "main")).length).toBe(1);
    await run(embedder);
    expect(embedder.texts).toHaveLength(2);
  });

  it("embeds one text to learn it from an embedder that does not", async () => {
    const { run } = setUp();
    const embedder = new RecordingEmbedder(false);
    await run(embedder);
    expect(embedder.texts).toHaveLength(3);
    expect(await run(embedder)).toMatchObject({ unchanged: 2, embedded: 0 });
    expect(embedder.texts).toHaveLength(4);
  });

  it("re-indexes everything when the embedding model changes, and again when it changes back", async () => {
    const { store, run } = setUp();
    await run(new RecordingEmbedder(true, 4));
    const other = new RecordingEmbedder(true, 3);
    // The store drops the old model's vectors; the catalog must not call the files unchanged.
    expect(await run(other)).toMatchObject({ files: 2, unchanged: 0, chunked: 2, embedded: 2 });
    expect(await store.nearest("local:dims", [1, 40, 4], 2, "main")).toHaveLength(2);
    expect(await run(other)).toMatchObject({ unchanged: 2, chunked: 0 });
    const back = new RecordingEmbedder(true, 4);
    // Its vectors are still in the cache, so nothing is embedded; everything is stored again.
    expect(await run(back)).toMatchObject({ unchanged: 0, chunked: 2, embedded: 0, cached: 2 });
    expect(await store.count("local:dims", "main")).toBe(2);
  });

  it("re-indexes everything into a store whose data is gone, though the catalog remembers the files", async () => {
    const { data, run, runWith } = setUp();
    const embedder = new RecordingEmbedder(true, 4);
    await run(embedder);
    const replacement = new SqliteIndexStore(path.join(data, "index-restored.db"));
    cleanups.push(() => replacement.close());
    expect(await runWith(replacement, embedder)).toMatchObject({ unchanged: 0, chunked: 2 });
    expect(await replacement.count("local:dims", "main")).toBe(2);
  });
});
