import type { Phase } from "./phase.js";

export type PhaseErrorReason = "pull-request-closed" | "ref-missing" | "workspace" | "model" | "commit-lost" | "publish";

/** A step failed in a way the person who asked can act on: the comment names the phase and the hint. */
export class PhaseError extends Error {
  readonly reason: PhaseErrorReason;
  readonly phase: Phase;
  readonly hint: string | undefined;

  constructor(fields: { reason: PhaseErrorReason; phase: Phase; message: string; hint?: string | undefined; cause?: unknown }) {
    super(fields.message, { cause: fields.cause });
    this.name = "PhaseError";
    this.reason = fields.reason;
    this.phase = fields.phase;
    this.hint = fields.hint;
  }
}
