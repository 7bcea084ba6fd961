import type { TokenCounter } from "../../llm/tokens/token-counter.js";

/**
 * A file's lines with their token costs, so that any line range can be priced in constant time.
 * Lines are split on LF and CRLF and rejoined with LF: a chunk's text and hash are the same
 * whichever line endings the checkout used.
 */
export class LineTable {
  readonly lines: readonly string[];
  /** The text the parser sees: the lines rejoined, so that its rows are this table's indexes. */
  readonly source: string;
  readonly #prefix: Float64Array;
  readonly #counter: TokenCounter;

  constructor(text: string, counter: TokenCounter) {
    const lines = text.split(/\r?\n/);
    if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    this.lines = lines;
    this.source = lines.length === 0 ? "" : `${lines.join("\n")}\n`;
    this.#counter = counter;
    this.#prefix = new Float64Array(lines.length + 1);
    // Each line is priced with its newline. With the estimate, which never lets a run cross a
    // newline and rounds each line up, the sum is never below the price of the joined lines, so a
    // range priced under the cap yields a chunk text under the cap.
    for (let i = 0; i < lines.length; i++) this.#prefix[i + 1] = (this.#prefix[i] ?? 0) + counter.count(`${lines[i]}\n`);
  }

  get count(): number {
    return this.lines.length;
  }

  /** Tokens of lines `start`..`end` (0-based, inclusive). */
  tokens(start: number, end: number): number {
    if (end < start) return 0;
    return (this.#prefix[end + 1] ?? 0) - (this.#prefix[start] ?? 0);
  }

  lineTokens(index: number): number {
    return this.tokens(index, index);
  }

  text(start: number, end: number): string {
    return this.lines.slice(start, end + 1).join("\n");
  }

  isBlank(index: number): boolean {
    return (this.lines[index] ?? "").trim() === "";
  }

  /** Tokens of a piece of text that is not a whole line range (a slice of a long line). */
  countText(text: string): number {
    return this.#counter.count(text);
  }
}
