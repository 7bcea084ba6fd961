import type { ToolModeSetting } from "../agent/tool-channel.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { PullRequestInfo } from "../forge/forge.js";
import type { ForgeWriter } from "../forge/forge-writer.js";
import type { CodeIndex } from "../index/code-index.js";
import type { Logger } from "../jobs/logger.js";
import type { LlmProvider } from "../llm/types.js";
import type { RunStore } from "../store/run-store.js";
import type { RunnerFactory } from "../workspace/runner.js";
import type { Worktrees } from "../workspace/worktrees.js";
import type { CheckpointStore } from "./fix-checkpoint.js";
import type { FixReporter } from "./fix-reporter.js";
import type { FixRequest } from "./fix-request.js";
import type { Phase } from "./phase.js";
import type { WorkspaceSource } from "./workspace-source.js";

/** What every fix needs from the running bot (or the command line): built once, shared by all fixes. */
export interface FixDeps {
  readonly worktrees: Worktrees;
  readonly runners: RunnerFactory;
  readonly provider: LlmProvider;
  /** How tools reach the model; `auto` by default. */
  readonly toolMode?: ToolModeSetting;
  /** The code index, for `search_code` and the first prompt; the agent works without it. */
  readonly codeIndex?: CodeIndex | null;
  readonly runs: RunStore;
  readonly author: { readonly name: string; readonly email: string };
  readonly log: Logger;
}

/** What changes while a fix runs; the steps read and set it. */
export interface FixState {
  phase: Phase;
  dryRun: boolean;
  /** Why a fix became a dry run on its own (a fork's pull request). */
  dryRunReason: string | null;
  /** The pull request a fix on a pull request works on, once read. */
  pullRequest: PullRequestInfo | null;
}

/** One fix: the request, the repository's rules, and where it reads, reports and keeps progress. */
export interface FixContext {
  readonly deps: FixDeps;
  readonly request: FixRequest;
  readonly config: RepoConfig;
  readonly forge: ForgeWriter;
  readonly source: WorkspaceSource;
  readonly reporter: FixReporter;
  readonly checkpoint: CheckpointStore;
  readonly signal: AbortSignal;
  cancelledBy(): string | null;
  /** Whether a failure should be thrown for the queue to retry, instead of reported. */
  retryable(error: unknown): boolean;
  readonly state: FixState;
}
