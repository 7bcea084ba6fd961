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
 * context manager must never send more than the window: code runs at 3.5 to 4 characters per
 * token in the BPE vocabularies of current open models, so ASCII is counted at 3; a character
 * outside ASCII is often one token and sometimes two (CJK, emoji), so it counts 1.5.
 */
export const estimateCounter: TokenCounter = {
  label: "estimate",
  exact: false,
  count(text: string): number {
    let ascii = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 128) ascii++;
    return Math.ceil(ascii / 3 + (text.length - ascii) * 1.5);
  },
};

/** A counter backed by a tokenizer function, e.g. an embedded model's own `tokenize`. */
export function exactCounter(label: string, count: (text: string) => number): TokenCounter {
  return { label, exact: true, count };
}
