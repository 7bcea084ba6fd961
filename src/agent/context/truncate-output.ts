import type { TokenCounter } from "../../llm/tokens/token-counter.js";

/**
 * Even whitespace-heavy output rarely runs above this many characters per token; text longer
 * than the cap times this is cut by length first, so a 5 MB log is never tokenized whole.
 */
const MAX_CHARS_PER_TOKEN = 6;

/**
 * Keeps the head and the tail of a tool's output within `maxTokens`, with a note in the middle
 * saying how much was cut and how to see it. Build and test logs put the command at the top and
 * the failure at the bottom, so both ends matter more than the middle.
 */
export function truncateToTokens(text: string, maxTokens: number, counter: TokenCounter): string {
  // A token is at least one byte, so text this short fits whatever the tokenizer.
  if (Buffer.byteLength(text) <= maxTokens) return text;
  let kept = text.length > maxTokens * MAX_CHARS_PER_TOKEN ? cutMiddle(text, maxTokens * MAX_CHARS_PER_TOKEN) : text;
  let tokens = counter.count(kept);
  for (let round = 0; tokens > maxTokens && round < 4; round++) {
    // Shrink in proportion, with room for the note, and measure again: the ratio varies along the text.
    const chars = Math.floor(((kept.length * (maxTokens - NOTE_TOKENS)) / tokens) * 0.97);
    kept = cutMiddle(text, Math.max(0, chars));
    tokens = counter.count(kept);
  }
  return kept;
}

/** Tokens the cut note costs, counted generously. */
const NOTE_TOKENS = 40;

function cutMiddle(original: string, keepChars: number): string {
  if (original.length <= keepChars) return original;
  const headChars = Math.floor(keepChars * 0.6);
  const tailChars = keepChars - headChars;
  // Cut at line ends where there are any close by, so no line is shown half.
  let head = original.slice(0, headChars);
  const headBreak = head.lastIndexOf("\n");
  if (headBreak > headChars * 0.8) head = head.slice(0, headBreak + 1);
  let tail = tailChars > 0 ? original.slice(-tailChars) : "";
  const tailBreak = tail.indexOf("\n");
  if (tailBreak !== -1 && tailBreak < tailChars * 0.2) tail = tail.slice(tailBreak + 1);
  const cut = original.slice(head.length, original.length - tail.length);
  const lines = cut.split("\n").length - 1;
  return `${head}\n[… ${cut.length} characters (${lines} lines) cut from the middle to fit the context; ask for a narrower range (a line range, a path, a pattern) to see them …]\n${tail}`;
}
