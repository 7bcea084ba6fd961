export type DiffParseReason =
  /** An `@@` line that is not `@@ -a[,b] +c[,d] @@`. */
  | "bad-hunk-header"
  /** A merge commit's combined diff (`diff --cc`, `@@@`): it has no single old side to comment on. */
  | "combined-diff"
  /** The text ended before a hunk had all the lines its header counts. */
  | "truncated-hunk"
  /** A line inside a hunk that is not `+`, `-`, ` ` or `\`, or more lines of one side than counted. */
  | "bad-hunk-line"
  /** Text where a hunk or a file header should start. */
  | "unexpected-line";

/**
 * A patch that cannot be read as a unified diff. A review treats the file as having no lines to
 * comment on and says so in the summary, rather than guessing positions.
 */
export class DiffParseError extends Error {
  readonly reason: DiffParseReason;
  /** 1-based line of the patch text where reading stopped. */
  readonly patchLine: number;
  readonly path: string | null;

  constructor(reason: DiffParseReason, message: string, options: { patchLine: number; path?: string | null; cause?: unknown }) {
    super(`${message} (patch line ${options.patchLine}${options.path ? ` of ${options.path}` : ""})`, { cause: options.cause });
    this.name = "DiffParseError";
    this.reason = reason;
    this.patchLine = options.patchLine;
    this.path = options.path ?? null;
  }
}
