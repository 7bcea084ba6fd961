import { estimateCounter } from "./tokens/token-counter.js";
import type { ChatRequest, ChatResult, Embedder, LlmProvider, ModelInfo } from "./types.js";

/**
 * A provider whose module is loaded on first use. The embedded llama.cpp binding takes a second to
 * import; a bot that talks to Ollama should not pay for it at every start.
 */
export class DeferredProvider implements LlmProvider, Embedder {
  readonly label: string;
  readonly #load: () => Promise<LlmProvider & Partial<Embedder>>;
  #loading: Promise<LlmProvider & Partial<Embedder>> | undefined;
  #loaded: (LlmProvider & Partial<Embedder>) | undefined;

  constructor(label: string, load: () => Promise<LlmProvider & Partial<Embedder>>) {
    this.label = label;
    this.#load = load;
  }

  async #provider(): Promise<LlmProvider & Partial<Embedder>> {
    this.#loading ??= this.#load().then((provider) => (this.#loaded = provider));
    return this.#loading;
  }

  async describe(signal?: AbortSignal): Promise<ModelInfo> {
    return (await this.#provider()).describe(signal);
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    return (await this.#provider()).chat(request);
  }

  /** Exact once the model is loaded (the agent loop calls describe() first); an estimate before. */
  countTokens(text: string): number {
    return this.#loaded?.countTokens?.(text) ?? estimateCounter.count(text);
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const provider = await this.#provider();
    if (!provider.embed) throw new Error(`${this.label} cannot embed`);
    return provider.embed(texts, signal);
  }

  async close(): Promise<void> {
    await this.#loaded?.close?.();
  }
}
