import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { EmbeddingCache } from "../../src/index/embed/embedding-cache.js";
import { OllamaEmbedder } from "../../src/index/embed/ollama-embedder.js";
import { UniversalSentenceEncoderEmbedder } from "../../src/index/embed/universal-sentence-encoder-embedder.js";
import { openIndexDatabase } from "../../src/index/store/open-index-database.js";
import { SqliteIndexStore } from "../../src/index/store/sqlite-index-store.js";
import { LlmError } from "../../src/llm/llm-error.js";
import type { Embedder } from "../../src/llm/types.js";
import { hashVector, startFakeOllamaEmbed, type FakeOllamaEmbed } from "../support/fake-ollama-embed.js";
import { freePort } from "../support/net.js";
import { cosine } from "../support/vectors.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "embed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chunk = (text: string) => ({ text, contentHash: createHash("sha256").update(text).digest("hex") });

/** A deterministic embedder that counts what it is asked to embed. */
function countingEmbedder(label: string): Embedder & { texts: string[]; calls: number } {
  const embedder = {
    label,
    texts: [] as string[],
    calls: 0,
    embed(texts: readonly string[]): Promise<number[][]> {
      embedder.calls += 1;
      embedder.texts.push(...texts);
      return Promise.resolve(texts.map((text) => hashVector(`${label}:${text}`, 8)));
    },
  };
  return embedder;
}

describe("UniversalSentenceEncoderEmbedder", () => {
  it("embeds with the bundled model, offline: 512 finite numbers, similar sentences closer than unrelated ones", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    try {
      const embedder = new UniversalSentenceEncoderEmbedder();
      expect(embedder.label).toBe("use-lite");
      expect(embedder.dimensions).toBe(512);
      const [config, settings, weather, empty, last] = await embedder.embed([
        "read the configuration file from disk",
        "load the settings file from the disk",
        "the weather will be sunny and warm tomorrow",
        "",
        "function parseConfig(path) { return JSON.parse(readFileSync(path, 'utf8')); }",
      ]);
      for (const vector of [config, settings, weather, empty, last]) {
        expect(vector).toHaveLength(512);
        expect(vector?.every(Number.isFinite)).toBe(true);
      }
      expect(cosine(config ?? [], settings ?? [])).toBeGreaterThan(cosine(config ?? [], weather ?? []) + 0.2);
      // An empty text in the middle of a batch must not shift the later vectors onto other texts.
      expect(cosine(last ?? [], config ?? [])).toBeGreaterThan(cosine(last ?? [], weather ?? []));
      expect(await embedder.embed([])).toEqual([]);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it("gives the same vector for the same text across batches", async () => {
    const embedder = new UniversalSentenceEncoderEmbedder({ batchSize: 2 });
    const texts = ["alpha beta", "gamma delta", "epsilon", "alpha beta"];
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(4);
    expect(cosine(vectors[0] ?? [], vectors[3] ?? [])).toBeCloseTo(1, 5);
    expect(Math.hypot(...(vectors[1] ?? []))).toBeCloseTo(1, 5);
  });
});

describe("EmbeddingCache", () => {
  it("embeds a chunk once across two calls, and a changed chunk again", async () => {
    const cache = new EmbeddingCache(openIndexDatabase(path.join(dir, "cache-once.db")), { batchSize: 2 });
    const embedder = countingEmbedder("model-a");
    const chunks = [chunk("function a() {}"), chunk("function b() {}"), chunk("function c() {}")];

    const first = await cache.embedMissing(embedder, chunks);
    expect(first).toMatchObject({ embedded: 3, cached: 0 });
    expect(embedder.calls).toBe(2); // batches of two

    const second = await cache.embedMissing(embedder, chunks);
    expect(second).toMatchObject({ embedded: 0, cached: 3 });
    expect(second.vectors).toEqual(first.vectors);
    expect(embedder.texts).toHaveLength(3);

    const changed = [chunks[0]!, chunk("function b() { return 2 }"), chunks[2]!];
    const third = await cache.embedMissing(embedder, changed);
    expect(third).toMatchObject({ embedded: 1, cached: 2 });
    expect(embedder.texts.at(-1)).toBe("function b() { return 2 }");
    expect(third.vectors[1]).not.toEqual(first.vectors[1]);
  });

  it("never reuses another model's vectors", async () => {
    const cache = new EmbeddingCache(openIndexDatabase(path.join(dir, "cache-models.db")));
    const chunks = [chunk("const x = 1"), chunk("const y = 2")];
    const a = countingEmbedder("model-a");
    const b = countingEmbedder("model-b");
    const fromA = await cache.embedMissing(a, chunks);
    const fromB = await cache.embedMissing(b, chunks);
    expect(fromB).toMatchObject({ embedded: 2, cached: 0 });
    expect(fromB.vectors[0]).not.toEqual(fromA.vectors[0]);
    expect(await cache.embedMissing(a, chunks)).toMatchObject({ embedded: 0, cached: 2 });
    expect(cache.forget("model-a")).toBe(2);
    expect(await cache.embedMissing(a, chunks)).toMatchObject({ embedded: 2, cached: 0 });
  });

  it("embeds repeated text once, returns vectors in the chunks' order, and keeps them in index.db across restarts", async () => {
    const file = path.join(dir, "index.db");
    const store = new SqliteIndexStore(file);
    const embedder = countingEmbedder("model-a");
    const chunks = [chunk("same"), chunk("other"), chunk("same")];
    const progress: Array<[number, number]> = [];
    const result = await new EmbeddingCache(store.database).embedMissing(embedder, chunks, {
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(result).toMatchObject({ embedded: 2, cached: 1 });
    expect(result.vectors[0]).toEqual(result.vectors[2]);
    expect(result.vectors[0]?.[0]).toBe(Math.fround(hashVector("model-a:same", 8)[0] ?? NaN));
    expect(progress).toEqual([[2, 2]]);
    await store.close();

    const reopened = new SqliteIndexStore(file);
    try {
      const again = await new EmbeddingCache(reopened.database).embedMissing(embedder, chunks);
      expect(again).toMatchObject({ embedded: 0, cached: 3 });
      expect(again.vectors).toEqual(result.vectors);
    } finally {
      await reopened.close();
    }
  });

  it("with the real encoder, re-embeds after a model change and not before", async () => {
    const cache = new EmbeddingCache(openIndexDatabase(path.join(dir, "cache-use.db")));
    const use = new UniversalSentenceEncoderEmbedder();
    const chunks = [chunk("export function add(a, b) { return a + b; }"), chunk("export function sub(a, b) { return a - b; }")];
    const first = await cache.embedMissing(use, chunks);
    expect(first).toMatchObject({ embedded: 2, cached: 0 });
    expect(first.vectors[0]).toHaveLength(512);
    expect(await cache.embedMissing(use, chunks)).toMatchObject({ embedded: 0, cached: 2 });
    expect(await cache.embedMissing(countingEmbedder("another-model"), chunks)).toMatchObject({ embedded: 2, cached: 0 });
  });
});

describe("OllamaEmbedder", () => {
  let ollama: FakeOllamaEmbed;
  beforeAll(async () => {
    ollama = await startFakeOllamaEmbed({ embeddingModels: { "nomic-embed-text": 16 }, chatModels: ["qwen2.5-coder:7b"] });
  });
  afterAll(async () => {
    await ollama.close();
  });
  afterEach(() => {
    ollama.requests.splice(0);
  });

  it("embeds in batches through /api/embed, in order", async () => {
    const embedder = new OllamaEmbedder({ host: ollama.url, model: "nomic-embed-text", batchSize: 2 });
    expect(embedder.label).toBe("ollama:nomic-embed-text");
    expect(embedder.dimensions).toBeUndefined();
    const texts = ["one", "two", "three", "four", "five"];
    const vectors = await embedder.embed(texts);
    expect(vectors).toEqual(texts.map((text) => hashVector(text, 16)));
    expect(ollama.requests.map((request) => request.input)).toEqual([["one", "two"], ["three", "four"], ["five"]]);
    expect(ollama.requests[0]).toMatchObject({ model: "nomic-embed-text", truncate: true });
    expect(embedder.dimensions).toBe(16);
  });

  it("finds out its dimension with one probe", async () => {
    const embedder = new OllamaEmbedder({ host: ollama.url, model: "nomic-embed-text" });
    expect(await embedder.probeDimensions()).toBe(16);
    expect(await embedder.probeDimensions()).toBe(16);
    expect(ollama.requests).toHaveLength(1);
  });

  it("says to pull a missing model", async () => {
    const error = await new OllamaEmbedder({ host: ollama.url, model: "mxbai-embed-large" })
      .embed(["x"])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).reason).toBe("model-not-found");
    expect((error as LlmError).hint).toContain("`ollama pull mxbai-embed-large`");
  });

  it("says a chat model does not embed", async () => {
    const error = await new OllamaEmbedder({ host: ollama.url, model: "qwen2.5-coder:7b" }).embed(["x"]).catch((caught: unknown) => caught);
    expect((error as LlmError).reason).toBe("bad-response");
    expect((error as LlmError).hint).toContain("nomic-embed-text");
  });

  it("says Ollama is unreachable when nothing listens", async () => {
    const error = await new OllamaEmbedder({ host: `http://127.0.0.1:${await freePort()}`, model: "nomic-embed-text" })
      .embed(["x"])
      .catch((caught: unknown) => caught);
    expect((error as LlmError).reason).toBe("unreachable");
    expect((error as LlmError).retryable).toBe(true);
  });

  it("stops when the caller aborts", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await new OllamaEmbedder({ host: ollama.url, model: "nomic-embed-text" })
      .embed(["x"], controller.signal)
      .catch((caught: unknown) => caught);
    expect((error as LlmError).reason).toBe("aborted");
  });
});
