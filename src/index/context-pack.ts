import { estimateCounter } from "../llm/tokens/token-counter.js";
import { location } from "./retriever.js";
import type { Chunk } from "./types.js";

/** A chunk as the model is shown it: where it is, whose it is, and the code. */
export function chunkBlock(chunk: Pick<Chunk, "path" | "startLine" | "endLine" | "symbols" | "text">): string {
  return `${location(chunk)}${chunk.symbols.length > 0 ? ` (${chunk.symbols.join(".")})` : ""}\n\`\`\`\n${chunk.text}\n\`\`\``;
}

/**
 * Chunks packed whole into a token budget, each once: a chunk that does not fit is skipped, so a
 * smaller one after it can still come in.
 */
export class ContextPack {
  readonly #seen = new Set<string>();
  #left: number;

  constructor(budgetTokens: number) {
    this.#left = budgetTokens;
  }

  /** The chunk's block when it was taken; null when it was taken before or does not fit. */
  take(chunk: Chunk): string | null {
    if (this.#seen.has(chunk.id)) return null;
    const block = chunkBlock(chunk);
    const cost = estimateCounter.count(block);
    if (cost > this.#left) return null;
    this.#seen.add(chunk.id);
    this.#left -= cost;
    return block;
  }
}
