import type { LlmProvider } from "../types.js";
import { qwenCounter } from "./qwen-counter.js";
import { boundedCounter, estimateCounter, exactCounter, type TokenCounter } from "./token-counter.js";

/** Up to this many characters the Qwen tokenizer in JavaScript counts in about two milliseconds. */
const EXACT_UP_TO = 2_000;

/** Model names served with the Qwen vocabulary, as Ollama, GGUF files and OpenAI-compatible servers spell them. */
const QWEN = /qwen[-_ ]?(2\.5|3)|qwq/i;

/**
 * The best counter for a model: its own tokenizer when the backend runs in process (native code,
 * fast on any size), the Qwen tokenizer for Qwen models on any server (exact on all but long
 * texts), and an estimate for everything else.
 */
export async function counterFor(provider: LlmProvider, model: string): Promise<TokenCounter> {
  if (provider.countTokens)
    return exactCounter(`${provider.label} tokenizer`, (text) => provider.countTokens?.(text) ?? estimateCounter.count(text));
  if (QWEN.test(model)) return boundedCounter(await qwenCounter(), EXACT_UP_TO);
  return estimateCounter;
}
