import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lexicalQuery } from "../../src/index/lexical-query.js";
import { Retriever } from "../../src/index/retriever.js";
import { SqliteIndexStore } from "../../src/index/store/sqlite-index-store.js";
import type { IndexStore } from "../../src/index/types.js";
import type { Embedder } from "../../src/llm/types.js";
import { makeChunk } from "./store-suite.js";

describe("lexicalQuery", () => {
  it("leaves English function words out of a sentence, punctuation around them included", () => {
    expect(lexicalQuery("Returns the size of the buffer, in bytes.")).toBe("Returns size buffer, bytes.");
    expect(lexicalQuery("Whether (or not) it is closed")).toBe("not) closed");
  });

  it("keeps code as it is: identifiers, member access, keywords that name things", () => {
    expect(lexicalQuery("this.state")).toBe("this.state");
    expect(lexicalQuery("get the new value")).toBe("get new value");
    expect(lexicalQuery("parseConfig")).toBe("parseConfig");
    expect(lexicalQuery("a1 b_2")).toBe("a1 b_2");
  });

  it("keeps a query of nothing but function words whole", () => {
    expect(lexicalQuery("to be or not")).toBe("not");
    expect(lexicalQuery("if it is")).toBe("if it is");
  });
});

describe("Retriever", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "retriever-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("searches the store lexically without function words and embeds the whole sentence", async () => {
    const store = new SqliteIndexStore(path.join(dir, "index.db"));
    try {
      await store.open("a/b", "m", 2);
      const chunk = makeChunk({
        id: "c1",
        path: "src/buffer.ts",
        symbols: ["byteSize"],
        text: "export function byteSize(buffer) {\n  return buffer.length;\n}",
      });
      await store.upsert("a/b", [{ chunk, vector: [1, 0] }], "main");
      const embedded: string[] = [];
      const lexical: string[] = [];
      const embedder: Embedder = { label: "fixed", embed: (texts) => (embedded.push(...texts), Promise.resolve(texts.map(() => [1, 0]))) };
      const recording: IndexStore = {
        open: (...a) => store.open(...a),
        upsert: (...a) => store.upsert(...a),
        addTag: (...a) => store.addTag(...a),
        removeTag: (...a) => store.removeTag(...a),
        delete: (...a) => store.delete(...a),
        lexical: (repo, query, k, tag) => (lexical.push(query), store.lexical(repo, query, k, tag)),
        nearest: (...a) => store.nearest(...a),
        get: (...a) => store.get(...a),
        count: (...a) => store.count(...a),
        close: () => store.close(),
      };
      const hits = await new Retriever(recording, embedder).search("a/b", "main", " The size of the buffer in bytes. ", 5);
      expect(hits.map((h) => h.chunk.id)).toEqual(["c1"]);
      expect(embedded).toEqual(["The size of the buffer in bytes."]);
      expect(lexical).toEqual(["size buffer bytes."]);
    } finally {
      await store.close();
    }
  });
});
