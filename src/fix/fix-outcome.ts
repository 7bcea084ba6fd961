import type { Committed, FileChange, RunFigures, TestOutcome } from "./fix-checkpoint.js";

/** How a fix ended, for its report. */
export type FixOutcome =
  | { readonly kind: "no-change"; readonly test: TestOutcome; readonly figures: RunFigures; readonly summary: string | null }
  | {
      readonly kind: "dry-run";
      readonly test: TestOutcome;
      readonly files: readonly FileChange[];
      readonly figures: RunFigures;
      readonly summary: string | null;
      /** The diff it would have pushed; null when a resumed run committed before dry run was switched on. */
      readonly diff: string | null;
      readonly notes: readonly string[];
    }
  | {
      readonly kind: "published";
      readonly committed: Committed;
      readonly branch: string;
      /** Pushed on top of the pull request's own branch instead of a branch of the bot's. */
      readonly onHead: boolean;
      readonly pullRequest: { readonly number: number; readonly url: string; readonly draft: boolean } | null;
      readonly notes: readonly string[];
    };

/** What the work step leaves for the report beside the outcome. */
export interface AgentReport {
  readonly figures: RunFigures;
  /** The recorded run: `coder-bot trajectory <runId>`. */
  readonly runId: number;
  readonly error: { readonly message: string; readonly hint: string } | null;
  readonly stuck: string | null;
}
