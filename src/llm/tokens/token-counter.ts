/** Counts the tokens a text costs a model. */
export interface TokenCounter {
  /** `qwen3-tokenizer`, `llama-cpp`, `estimate`: shown in the trajectory so a count can be judged. */
  readonly label: string;
  /** True when the count comes from the model's own tokenizer. */
  readonly exact: boolean;
  count(text: string): number;
}

/**
 * An estimate for models whose tokenizer is not at hand. It errs high on purpose, because the
 * context manager must never send more than the window. BPE vocabularies split text where the
 * kind of character changes, so the estimate does too: a run of letters costs one token plus one
 * per six letters, and a new run starts at every capital (camelCase parts, and the dense case
 * changes of base64 and hashes, which cost about two characters a token); every digit is a token
 * (Qwen splits numbers into digits); other ASCII costs a third; a character outside ASCII 1.5
 * (CJK and emoji take one or two). Checked against the Qwen tokenizer on code, lock files, logs,
 * base64 and prose: never below it, and about 1.5 times it on ordinary code.
 */
export const estimateCounter: TokenCounter = {
  label: "estimate",
  exact: false,
  count(text: string): number {
    let tokens = 0;
    let other = 0;
    let run = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      const upper = code >= 65 && code <= 90;
      if (upper || (code >= 97 && code <= 122)) {
        if (upper && run > 0) {
          tokens += 1 + run / 6;
          run = 0;
        }
        run++;
        continue;
      }
      if (run > 0) {
        tokens += 1 + run / 6;
        run = 0;
      }
      if (code >= 48 && code <= 57) tokens++;
      else if (code < 128) other++;
      else tokens += 1.5;
    }
    if (run > 0) tokens += 1 + run / 6;
    return Math.ceil(tokens + other / 3);
  },
};

/**
 * A tokenizer in JavaScript costs about a millisecond per kilobyte; the loop cannot spend that on
 * every 50 kB log. Texts up to `exactUpTo` characters (replies, prompts, most tool results) are
 * counted exactly; longer ones get the estimate, which errs high, so the window stays safe.
 */
export function boundedCounter(exact: TokenCounter, exactUpTo: number): TokenCounter {
  return {
    label: `${exact.label} (estimated above ${exactUpTo} characters)`,
    exact: false,
    count: (text) => (text.length <= exactUpTo ? exact.count(text) : estimateCounter.count(text)),
  };
}

/** A counter backed by a tokenizer function, e.g. an embedded model's own `tokenize`. */
export function exactCounter(label: string, count: (text: string) => number): TokenCounter {
  return { label, exact: true, count };
}
