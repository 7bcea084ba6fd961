import type { TestOutcome } from "./fix-checkpoint.js";
import type { AgentReport, FixOutcome } from "./fix-outcome.js";
import type { Phase } from "./phase.js";

/** What a failed fix tells the person who asked. */
export interface FixFailure {
  readonly phase: Phase;
  readonly message: string;
  readonly hint?: string | undefined;
  /** A branch already pushed before the failure, so nobody is surprised to find it. */
  readonly pushedBranch: string | null;
}

/**
 * Where a fix tells how it goes: a progress comment edited in place on the forge, or lines on a
 * terminal. The steps call the same methods either way.
 */
export interface FixReporter {
  /** The work is accepted and starting (a progress comment appears). */
  started(info: { readonly dryRun: boolean }): Promise<void>;
  /** A phase began, or the work moved on inside one; `force` skips any rate limit. */
  progress(phase: Phase, detail: string | null, force: boolean): Promise<void>;
  agentStopped(report: AgentReport): void;
  tested(test: TestOutcome): void;
  finished(outcome: FixOutcome): Promise<void>;
  failed(failure: FixFailure): Promise<void>;
  cancelled(by: string, phase: Phase): Promise<void>;
  /** Waits for updates still on their way, before the last one or before cleaning up. */
  flush(): Promise<void>;
}
