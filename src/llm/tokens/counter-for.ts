import type { LlmProvider } from "../types.js";
import { qwenCounter } from "./qwen-counter.js";
import { estimateCounter, exactCounter, type TokenCounter } from "./token-counter.js";

/** Model names served with the Qwen vocabulary, as Ollama, GGUF files and OpenAI-compatible servers spell them. */
const QWEN = /qwen[-_ ]?(2\.5|3)|qwq/i;

/**
 * The best counter for a model: its own tokenizer when the backend runs in process, the Qwen
 * tokenizer for Qwen models on any server, and an estimate for everything else.
 */
export async function counterFor(provider: LlmProvider, model: string): Promise<TokenCounter> {
  if (provider.countTokens) return exactCounter(`${provider.label} tokenizer`, (text) => provider.countTokens?.(text) ?? estimateCounter.count(text));
  if (QWEN.test(model)) return qwenCounter();
  return estimateCounter;
}
