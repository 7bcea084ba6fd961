export type IndexStoreErrorReason =
  /** An operation that writes needs `open()` first: only it knows the model and the dimension. */
  | "not-open"
  | "dimension-mismatch"
  | "unreachable"
  /** The backend refused or failed the request; the message carries its own words. */
  | "backend";

/** A store operation that failed; `hint` tells the operator what to do about it. */
export class IndexStoreError extends Error {
  readonly reason: IndexStoreErrorReason;
  readonly hint: string;

  constructor(reason: IndexStoreErrorReason, message: string, options: { hint: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "IndexStoreError";
    this.reason = reason;
    this.hint = options.hint;
  }
}

export function notOpenError(repo: string): IndexStoreError {
  return new IndexStoreError("not-open", `the index of ${repo} has no vector space yet`, {
    hint: "call open(repo, model, dimensions) before the first upsert",
  });
}

export function dimensionError(repo: string, expected: number, actual: number): IndexStoreError {
  return new IndexStoreError("dimension-mismatch", `the index of ${repo} holds ${expected}-dimensional vectors, got one of ${actual}`, {
    hint: "open the repository with the embedder's model and dimension; a change of either empties its space",
  });
}
