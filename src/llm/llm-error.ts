export type LlmErrorReason =
  | "model-not-found"
  | "unreachable"
  | "timeout"
  | "context-overflow"
  | "server-error"
  /** The model or server refuses native tools: the loop switches to text mode. */
  | "tools-unsupported"
  | "bad-response"
  | "aborted";

/** A model call that failed; `hint` tells the operator what to do about it. */
export class LlmError extends Error {
  readonly reason: LlmErrorReason;
  readonly hint: string;
  readonly retryable: boolean;

  constructor(reason: LlmErrorReason, message: string, options: { hint: string; retryable?: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "LlmError";
    this.reason = reason;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
  }
}
