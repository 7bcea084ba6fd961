import type { RepoConfig } from "../config/repo-config.js";
import { runGit } from "../git/run-git.js";
import type { MirrorCache } from "../workspace/mirror-cache.js";
import type { RunnerFactory } from "../workspace/runner.js";
import { sandboxFor } from "../workspace/sandbox-for.js";
import { detectTestCommand } from "../workspace/test-command.js";
import type { Worktrees } from "../workspace/worktrees.js";

export interface ReviewTestDeps {
  readonly mirrors: MirrorCache;
  readonly worktrees: Worktrees;
  readonly runners: RunnerFactory;
}

/**
 * `review.runTests`: the tests run on the pull request's head in the same sandbox a fix gets, and
 * one Markdown line (with the output's tail when they fail) goes into the review's summary. A
 * failure to run them is reported, not thrown: the review itself still goes out.
 */
export async function runReviewTests(
  deps: ReviewTestDeps,
  params: {
    readonly repoKey: string;
    readonly cloneUrl: string;
    readonly token: string | null;
    readonly number: number;
    readonly headSha: string;
    readonly config: RepoConfig;
    readonly name: string;
    readonly signal: AbortSignal;
  },
): Promise<string> {
  let gitDir: string;
  try {
    gitDir = await deps.mirrors.fetch({
      repoKey: params.repoKey,
      cloneUrl: params.cloneUrl,
      token: params.token,
      extraRefs: [`refs/pull/${params.number}/head`],
    });
    const found = await runGit(["rev-parse", "--verify", "--quiet", `${params.headSha}^{commit}`], { cwd: gitDir, allowFailure: true });
    if (found.exitCode !== 0) return `not run: the head ${params.headSha.slice(0, 7)} could not be fetched.`;
  } catch (error) {
    return `not run: the repository could not be fetched (${(error as Error).message}).`;
  }
  const worktree = await deps.worktrees.add(gitDir, params.headSha, params.name);
  try {
    const command = params.config.test.command ?? (await detectTestCommand(worktree.dir));
    if (command === null) return "not run: no test command is configured (`test.command`) or detected.";
    const runner = await deps.runners
      .create(worktree.dir, { name: params.name, sandbox: sandboxFor(params.config, gitDir) })
      .catch((error: unknown) => error as Error);
    if (runner instanceof Error) return `not run: the workspace could not start (${runner.message}).`;
    try {
      const result = await runner.run(
        { shell: command },
        { timeoutMs: params.config.test.timeoutMinutes * 60_000, signal: params.signal, maxOutputBytes: 16 * 1024 },
      );
      if (result.timedOut) return `\`${command}\` timed out after ${params.config.test.timeoutMinutes} minutes.`;
      if (result.exitCode === 0) return `\`${command}\` passed on ${params.headSha.slice(0, 7)}.`;
      const tail = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-25).join("\n");
      return `\`${command}\` failed on ${params.headSha.slice(0, 7)} (exit ${result.exitCode}).\n\n\`\`\`\n${tail.replace(/```/g, "ʼʼʼ")}\n\`\`\``;
    } finally {
      await runner.dispose();
    }
  } finally {
    await deps.worktrees.remove(gitDir, worktree.dir);
  }
}
