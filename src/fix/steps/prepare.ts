import { headIsInRepository } from "../../forge/repository.js";
import { runGit } from "../../git/run-git.js";
import { WorkspaceError } from "../../workspace/docker/workspace-errors.js";
import { sandboxFor } from "../../workspace/sandbox-for.js";
import type { CommandRunner } from "../../workspace/runner.js";
import type { Worktree } from "../../workspace/worktrees.js";
import type { FixContext } from "../fix-context.js";
import { PhaseError } from "../phase-error.js";

/** A prepared workspace: the worktree, the git directory it came from, the runner and the commit it started at. */
export interface Prepared extends Worktree {
  readonly mirror: string;
  readonly runner: CommandRunner;
  readonly baseSha: string;
}

/** Fetches the repository, checks out the commit the work starts from, and starts the job's container. */
export async function prepare(ctx: FixContext): Promise<Prepared> {
  ctx.state.phase = "prepare";
  const { request } = ctx;
  const target = await resolveTarget(ctx);
  const gitDir = await ctx.source.fetch(await ctx.forge.gitToken(), target.extraRefs);
  const resolved = await runGit(["rev-parse", "--verify", "--quiet", `${target.ref}^{commit}`], { cwd: gitDir, allowFailure: true });
  if (resolved.exitCode !== 0) {
    throw new PhaseError({
      reason: "ref-missing",
      phase: "prepare",
      message: `${target.ref} is not in the repository`,
      hint: "check that the branch exists and the bot can read the repository",
    });
  }
  const baseSha = resolved.stdout.trim();
  const worktree = await ctx.deps.worktrees.add(gitDir, baseSha, request.workspaceName);
  const runner = await ctx.deps.runners
    .create(worktree.dir, { name: request.workspaceName, sandbox: sandboxFor(ctx.config, gitDir) })
    .catch(async (error: unknown) => {
      await ctx.deps.worktrees.remove(gitDir, worktree.dir).catch(() => undefined);
      if (error instanceof WorkspaceError)
        throw new PhaseError({ reason: "workspace", phase: "prepare", message: error.message, hint: error.hint, cause: error });
      throw new PhaseError({
        reason: "workspace",
        phase: "prepare",
        message: `cannot start the workspace: ${(error as Error).message}`,
        hint: "run `coder-bot doctor`",
        cause: error,
      });
    });
  return { ...worktree, mirror: gitDir, runner, baseSha };
}

/** The commit the work starts from, and the refs to fetch for it. */
async function resolveTarget(ctx: FixContext): Promise<{ ref: string; extraRefs: string[] }> {
  const { request } = ctx;
  const base = request.base;
  if (base.kind === "commit") return { ref: base.sha, extraRefs: [] };
  if (base.kind === "default-branch" || request.issue.number === null)
    return { ref: ctx.source.branchRef(request.defaultBranch), extraRefs: [] };
  const number = request.issue.number;
  const pr = await ctx.forge.getPullRequest(request, number);
  ctx.state.pullRequest = pr;
  if (pr.state !== "open")
    throw new PhaseError({
      reason: "pull-request-closed",
      phase: "prepare",
      message: `pull request #${number} is closed`,
      hint: "reopen it, or comment on an open one",
    });
  if (headIsInRepository(pr, request)) return { ref: pr.head.sha, extraRefs: [] };
  // A fork's commits pushed into this repository would run in its workflows with its secrets.
  ctx.state.dryRun = true;
  ctx.state.dryRunReason =
    "This pull request comes from a fork. I don't push a fork's commits into this repository (its workflows would run them with this repository's secrets), so here is the change as a diff for the author to apply.";
  return { ref: pr.head.sha, extraRefs: [`refs/pull/${number}/head`] };
}
