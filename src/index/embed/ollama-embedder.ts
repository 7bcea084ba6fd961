import { Ollama } from "ollama";
import type { Embedder } from "../../llm/types.js";
import { ollamaEmbedError } from "./ollama-embed-errors.js";
import { checkVectors } from "./vector-checks.js";

export interface OllamaEmbedderOptions {
  readonly host: string;
  /** An embedding model, e.g. `nomic-embed-text`. */
  readonly model: string;
  /** Texts per `/api/embed` request (default 32). */
  readonly batchSize?: number;
  /** Per request (default 5 minutes: the first one after a restart loads the model). */
  readonly timeoutMs?: number;
}

/**
 * Embeddings from an Ollama server's batched `/api/embed`. Inputs longer than the model's
 * context are truncated by the server (`truncate: true`) rather than failing a whole batch.
 * The vectors come back unit-length, as Ollama normalizes them.
 *
 * @example
 * const embedder = new OllamaEmbedder({ host: "http://127.0.0.1:11434", model: "nomic-embed-text" });
 * const dimensions = await embedder.probeDimensions(); // 768; LlmError("model-not-found") with `ollama pull …` as hint
 */
export class OllamaEmbedder implements Embedder {
  readonly label: string;
  readonly #options: OllamaEmbedderOptions;
  #dimensions: number | undefined;

  constructor(options: OllamaEmbedderOptions) {
    this.#options = options;
    this.label = `ollama:${options.model}`;
  }

  /** Known after the first embedding; `probeDimensions()` finds it out. */
  get dimensions(): number | undefined {
    return this.#dimensions;
  }

  /** Embeds one word to learn the model's dimension, which a store needs before the first upsert. */
  async probeDimensions(signal?: AbortSignal): Promise<number> {
    if (this.#dimensions === undefined) await this.embed(["dimension"], signal);
    return this.#dimensions as number;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const { batchSize = 32 } = this.#options;
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      vectors.push(...(await this.#embedBatch(texts.slice(start, start + batchSize), signal)));
    }
    return vectors;
  }

  async #embedBatch(input: string[], caller: AbortSignal | undefined): Promise<number[][]> {
    const { host, model, timeoutMs = 300_000 } = this.#options;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = caller ? AbortSignal.any([caller, timeout]) : timeout;
    const client = new Ollama({ host, fetch: (url, init) => fetch(url, { ...init, signal }) });
    let response;
    try {
      response = await client.embed({ model, input, truncate: true });
    } catch (error) {
      throw ollamaEmbedError(error, {
        host,
        model,
        aborted: caller?.aborted === true,
        ...(timeout.aborted && caller?.aborted !== true ? { silentForMs: timeoutMs } : {}),
      });
    }
    const vectors = checkVectors(this.label, response.embeddings, input.length, this.#dimensions);
    this.#dimensions ??= vectors[0]?.length;
    return vectors;
  }
}
