import path from "node:path";
import { userInfo } from "node:os";
import { checkoutSource } from "../fix/workspace-source.js";
import { memoryCheckpoint } from "../fix/fix-checkpoint.js";
import type { FixDeps, FixState } from "../fix/fix-context.js";
import type { FixRequest } from "../fix/fix-request.js";
import { fixSteps, type FixSteps } from "../fix/fix-steps.js";
import { runFix, type FixBase, type FixResult } from "../fix/run-fix.js";
import { ForgeWriter } from "../forge/forge-writer.js";
import { LocalForge } from "../forge/local/local-forge.js";
import { runGit } from "../git/run-git.js";
import { CancelledError } from "../queue/cancelled-error.js";
import type { LocalRepository } from "./local-repository.js";
import { TerminalReporter } from "./terminal-reporter.js";

/** Who runs the command, for the recorded run; a container's user may have no name. */
function localUser(): string {
  try {
    return userInfo().username || "you";
  } catch {
    return "you";
  }
}

export interface LocalFixOptions {
  readonly repo: LocalRepository;
  readonly task: string;
  readonly dryRun: boolean;
  readonly deps: FixDeps;
  readonly out: (text: string) => void;
  readonly signal?: AbortSignal;
  /** The steps to run; the same ones the webhook job runs. */
  readonly steps?: FixSteps;
}

/**
 * `coder-bot fix --repo <path> "<task>"`: the fix's own steps on a local repository, with the
 * local forge. It works in a worktree of the repository's `HEAD`, so the user's checkout is never
 * touched, and either prints the diff (dry run) or pushes the commit into the repository as a new
 * `coder/…` branch: fast-forward only, so an existing branch is never moved.
 */
export async function localFix(options: LocalFixOptions): Promise<FixResult> {
  const { repo, deps } = options;
  if (repo.commitSha === null) throw new Error(`${repo.root} has no commit yet: commit something first, the fix starts from HEAD`);
  const gitDir = path.resolve(repo.root, (await runGit(["rev-parse", "--git-common-dir"], { cwd: repo.root })).stdout.trim());
  const index = deps.codeIndex;
  if (index && repo.config.index.enabled && !index.ready(repo.repoKey, repo.tag)) {
    options.out(
      `No code index of ${repo.root} (${repo.tag}) yet: \`coder-bot index --repo ${repo.root}\` gives the agent search_code and a head start.`,
    );
  }
  const [title = ""] = options.task.trim().split("\n");
  const request: FixRequest = {
    repoKey: repo.repoKey,
    repoName: path.basename(repo.root),
    owner: "local",
    repo: path.basename(repo.root),
    defaultBranch: repo.tag,
    issue: { number: null, title, body: options.task, isPullRequest: false },
    instructions: "",
    requestedBy: localUser(),
    dryRun: options.dryRun,
    base: { kind: "commit", sha: repo.commitSha },
    deliverable: "branch",
    indexTag: repo.tag,
    workspaceName: `local-${process.pid}-${Date.now()}`,
    jobId: null,
  };
  const controller = new AbortController();
  const abort = () => controller.abort(new CancelledError(request.requestedBy));
  options.signal?.addEventListener("abort", abort, { once: true });
  const state: FixState = { phase: "configure", dryRun: request.dryRun, dryRunReason: null, pullRequest: null };
  const base: FixBase = {
    deps,
    request,
    forge: new ForgeWriter(new LocalForge({ root: repo.root, print: options.out }), []),
    source: checkoutSource(repo.root, gitDir),
    reporter: new TerminalReporter(
      options.out,
      `Working in a worktree of ${repo.root} at ${repo.commitSha.slice(0, 7)} with ${deps.provider.label}…`,
    ),
    checkpoint: memoryCheckpoint(),
    signal: controller.signal,
    cancelledBy: () => (controller.signal.reason instanceof CancelledError ? controller.signal.reason.by : null),
    retryable: () => false,
    state,
  };
  try {
    // The configuration committed on HEAD; the person at the terminal owns the repository.
    return await runFix(base, () => Promise.resolve(repo.config), options.steps ?? fixSteps);
  } finally {
    options.signal?.removeEventListener("abort", abort);
  }
}
