import path from "node:path";
import type { Env } from "../config/env.js";
import type { Database } from "../store/database.js";
import type { Embedder } from "../llm/types.js";
import { IndexCatalog } from "./catalog.js";
import { chunkFile } from "./chunk/chunk-file.js";
import { CodeIndex } from "./code-index.js";
import { EmbeddingCache } from "./embed/embedding-cache.js";
import { OllamaEmbedder } from "./embed/ollama-embedder.js";
import { UniversalSentenceEncoderEmbedder } from "./embed/universal-sentence-encoder-embedder.js";
import { scanRepository } from "./scan/scan-repository.js";
import { QdrantIndexStore } from "./store/qdrant-index-store.js";
import { SqliteIndexStore } from "./store/sqlite-index-store.js";
import type { IndexStore } from "./types.js";

export type IndexEnv = Pick<
  Env,
  "CODER_INDEX" | "QDRANT_URL" | "QDRANT_API_KEY" | "CODER_EMBEDDINGS" | "CODER_EMBED_MODEL" | "OLLAMA_HOST" | "CODER_DATA_DIR"
>;

export interface OpenedCodeIndex {
  readonly index: CodeIndex;
  close(): Promise<void>;
}

/**
 * The code index the environment asks for: the embedded SQLite store (with the embedding cache in
 * the same file) or Qdrant (the cache then in `index.db` beside the bot's state), and the built-in
 * sentence encoder or an Ollama embedding model. `db` is the bot's state database, which holds the
 * catalog. Null when `CODER_INDEX=off`.
 */
export function openCodeIndex(env: IndexEnv, db: Database): OpenedCodeIndex | null {
  if (env.CODER_INDEX === "off") return null;
  const sqlite = new SqliteIndexStore(path.join(env.CODER_DATA_DIR, "index.db"));
  const store: IndexStore =
    env.CODER_INDEX === "qdrant"
      ? new QdrantIndexStore({ url: env.QDRANT_URL ?? "", ...(env.QDRANT_API_KEY ? { apiKey: env.QDRANT_API_KEY } : {}) })
      : sqlite;
  const embedder: Embedder =
    env.CODER_EMBEDDINGS === "ollama"
      ? new OllamaEmbedder({ host: env.OLLAMA_HOST, model: env.CODER_EMBED_MODEL })
      : new UniversalSentenceEncoderEmbedder();
  const index = new CodeIndex({
    store,
    embedder,
    vectors: new EmbeddingCache(sqlite.database),
    catalog: new IndexCatalog(db),
    scan: (root, options) =>
      scanRepository(root, {
        ...(options.include ? { include: [...options.include] } : {}),
        ...(options.exclude ? { exclude: [...options.exclude] } : {}),
      }),
    chunk: (file) => chunkFile(file),
  });
  return {
    index,
    close: async () => {
      if (store !== sqlite) await store.close();
      await sqlite.close();
    },
  };
}
