export type WorkspaceErrorReason = "image-missing" | "engine-unreachable" | "setup-failed" | "runtime-missing";

/** The workspace could not be created; `hint` says what the operator or the repository should change. */
export class WorkspaceError extends Error {
  readonly reason: WorkspaceErrorReason;
  readonly hint: string;
  constructor(reason: WorkspaceErrorReason, message: string, hint: string, cause?: unknown) {
    super(message, { cause });
    this.name = "WorkspaceError";
    this.reason = reason;
    this.hint = hint;
  }
}
