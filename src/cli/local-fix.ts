import path from "node:path";
import { runAgent } from "../agent/agent-loop.js";
import { fixSystemPrompt, fixTaskPrompt } from "../agent/prompts.js";
import { stopReasonText } from "../agent/stop-conditions.js";
import { parseRepoConfig, REPO_CONFIG_PATH } from "../config/repo-config.js";
import { commitStaged, stageChanges } from "../git/commit-changes.js";
import { branchRefusal } from "../git/push-policy.js";
import { runGit } from "../git/run-git.js";
import type { LlmProvider } from "../llm/types.js";
import type { ToolModeSetting } from "../agent/tool-channel.js";
import { PathGuard } from "../safety/path-guard.js";
import type { RunStore } from "../store/run-store.js";
import { fixTools } from "../tools/fix-tools.js";
import type { RunnerFactory } from "../workspace/runner.js";
import type { Worktrees } from "../workspace/worktrees.js";
import { branchFor, suffixed } from "../fix/branch-name.js";
import { policyFor, sandboxFor } from "../fix/sandbox-config.js";
import { detectTestCommand } from "../fix/test-command.js";
import { WorkspaceError } from "../workspace/docker/workspace-errors.js";

export interface LocalFixOptions {
  readonly repoPath: string;
  readonly task: string;
  readonly dryRun: boolean;
  readonly provider: LlmProvider;
  readonly toolMode?: ToolModeSetting;
  readonly runners: RunnerFactory;
  readonly worktrees: Worktrees;
  readonly runs: RunStore;
  readonly author: { readonly name: string; readonly email: string };
  readonly out: (text: string) => void;
  readonly signal?: AbortSignal;
}

export interface LocalFixResult {
  readonly branch: string | null;
  readonly diff: string;
  readonly testsPassed: boolean | null;
  readonly stopReason: string;
}

/**
 * `coder-bot fix --repo <path> "<task>"`: the same agent on a local repository, without a forge.
 * It works in a worktree of the repository's HEAD, so the user's checkout is never touched, and
 * either prints the diff (dry run) or commits it to a new local `coder/…` branch.
 */
export async function localFix(options: LocalFixOptions): Promise<LocalFixResult> {
  const repo = (await runGit(["rev-parse", "--show-toplevel"], { cwd: path.resolve(options.repoPath) })).stdout.trim();
  const gitDir = path.resolve(repo, (await runGit(["rev-parse", "--git-common-dir"], { cwd: repo })).stdout.trim());
  const baseSha = (await runGit(["rev-parse", "HEAD"], { cwd: repo })).stdout.trim();
  const configText = await runGit(["show", `HEAD:${REPO_CONFIG_PATH}`], { cwd: repo, allowFailure: true });
  const config = parseRepoConfig(configText.exitCode === 0 ? configText.stdout : null);
  const worktree = await options.worktrees.add(gitDir, baseSha, `local-${process.pid}-${Date.now()}`);
  const dir = worktree.dir;
  const runner = await options.runners.create(dir, { name: path.basename(dir), sandbox: sandboxFor(config, gitDir) }).catch(async (error: unknown) => {
    await options.worktrees.remove(gitDir, dir);
    throw error instanceof WorkspaceError ? new Error(`${error.message}; ${error.hint}`) : error;
  });
  try {
    const testCommand = config.test.command ?? (await detectTestCommand(dir));
    const task = fixTaskPrompt({ repoFullName: path.basename(repo), issueNumber: null, title: options.task.split("\n")[0] ?? "", body: options.task, instructions: "", isPullRequest: false });
    const runId = options.runs.start({ jobId: null, repoKey: repo, task, model: options.provider.label });
    options.out(`Working in a worktree of ${repo} at ${baseSha.slice(0, 7)} with ${options.provider.label}…`);
    const agent = await runAgent({
      provider: options.provider,
      ...(options.toolMode ? { toolMode: options.toolMode } : {}),
      tools: fixTools,
      system: fixSystemPrompt({ testCommand, repoInstructions: config.instructions }),
      task,
      budgets: { steps: config.budgets.steps, wallMs: config.budgets.minutes * 60_000, tokens: config.budgets.tokens },
      toolContext: { root: dir, guard: new PathGuard(dir), runner, commandTimeoutMs: config.budgets.commandTimeoutMinutes * 60_000, policy: policyFor(config) },
      signal: options.signal ?? new AbortController().signal,
      recorder: { store: options.runs, runId },
      onStep: ({ step, lastTool }) => options.out(`  step ${step}${lastTool ? `: ${lastTool}` : ""}`),
    });
    options.runs.finish(runId, { stopReason: agent.stopReason, steps: agent.steps, promptTokens: agent.promptTokens, completionTokens: agent.completionTokens });
    options.out(`Stopped: ${stopReasonText[agent.stopReason]} after ${agent.steps} steps.${agent.error ? ` ${agent.error.message}. ${agent.error.hint}` : ""}${agent.stuck ? ` ${agent.stuck}.` : ""}`);
    options.out(`Run ${runId} is recorded: coder-bot trajectory ${runId}`);
    const staged = await stageChanges(worktree, baseSha);
    let testsPassed: boolean | null = null;
    if (testCommand && staged.files.length > 0) {
      const result = await runner.run({ shell: testCommand }, { timeoutMs: config.test.timeoutMinutes * 60_000 });
      testsPassed = result.exitCode === 0 && !result.timedOut;
      options.out(`Tests (${testCommand}): ${testsPassed ? "passed" : `failed (exit ${result.exitCode})`}`);
    }
    if (agent.summary) options.out(`\nSummary: ${agent.summary}`);
    if (staged.files.length === 0) {
      options.out("No file was changed.");
      return { branch: null, diff: "", testsPassed, stopReason: agent.stopReason };
    }
    if (options.dryRun) {
      options.out(`\n${staged.diff}`);
      return { branch: null, diff: staged.diff, testsPassed, stopReason: agent.stopReason };
    }
    const sha = await commitStaged(worktree, { message: `${options.task.split("\n")[0]?.slice(0, 72) ?? "coder-bot change"}\n\n${agent.summary ?? ""}\n`, authorName: options.author.name, authorEmail: options.author.email });
    const branch = await createLocalBranch(repo, branchFor(config.branches.prefix, "issue", 0, options.task).replace("issue-0-", "task-"), sha, config.branches.prefix);
    options.out(`\nCommitted ${sha.slice(0, 7)} to the local branch ${branch}.`);
    return { branch, diff: staged.diff, testsPassed, stopReason: agent.stopReason };
  } finally {
    await runner.dispose();
    await options.worktrees.remove(gitDir, dir);
  }
}

/** Creates `branch` (or the first free `branch-N`) at `sha`; an existing branch is never moved. */
async function createLocalBranch(repo: string, branch: string, sha: string, prefix: string): Promise<string> {
  for (let n = 1; n < 100; n++) {
    const candidate = suffixed(branch, n);
    const refusal = branchRefusal(candidate, { defaultBranch: "", prefix, protectedPatterns: [] });
    if (refusal) throw new Error(refusal);
    // update-ref with an all-zero old value only creates; it fails if the ref exists.
    const created = await runGit(["update-ref", `refs/heads/${candidate}`, sha, "0".repeat(40)], { cwd: repo, allowFailure: true });
    if (created.exitCode === 0) return candidate;
  }
  throw new Error(`no free branch name near ${branch}`);
}
