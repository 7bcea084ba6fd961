/**
 * The forge refused a review. `reason` is `unresolved-position` when a comment's path or line is
 * not in the diff (nothing was posted: GitHub creates reviews all or nothing); `errors` holds the
 * forge's own words, which do not say which comment was at fault.
 */
export class ReviewRejectedError extends Error {
  readonly reason: "unresolved-position" | "commit-not-in-pull-request" | "other";
  readonly status: number;
  readonly errors: readonly string[];

  /** `reason` where the forge's words do not say it the way GitHub's do; read from them otherwise. */
  constructor(fields: { status: number; errors: readonly string[]; reason?: ReviewRejectedError["reason"]; cause?: unknown }) {
    super(`the forge refused the review (${fields.status}): ${fields.errors.join("; ") || "no reason given"}`, { cause: fields.cause });
    this.name = "ReviewRejectedError";
    this.status = fields.status;
    this.errors = fields.errors;
    const text = fields.errors.join(" ");
    this.reason =
      fields.reason ??
      (/could not be resolved|part of the diff|same hunk|precede the end line/i.test(text)
        ? "unresolved-position"
        : /not part of the pull request/i.test(text)
          ? "commit-not-in-pull-request"
          : "other");
  }
}
