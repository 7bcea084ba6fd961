import type { PushRules } from "../../git/push-policy.js";
import { headIsInRepository } from "../../forge/repository.js";
import { runGit } from "../../git/run-git.js";
import { branchFor } from "../branch-name.js";
import type { FixContext } from "../fix-context.js";
import type { Committed } from "../fix-checkpoint.js";
import { PhaseError } from "../phase-error.js";
import { pullRequestBody, pullRequestTitle } from "../pull-request-text.js";
import { openPullRequest, pushOntoPullRequestHead, pushToFreeBranch, type PublishContext } from "../push-branch.js";

export interface Published {
  readonly branch: string;
  readonly onHead: boolean;
  readonly pullRequest: { readonly number: number; readonly url: string; readonly draft: boolean } | null;
  readonly notes: readonly string[];
}

/**
 * Pushes the commit (fast-forward only): on top of the pull request's own branch when asked on
 * one and possible, else to a free branch in the bot's namespace; then opens the pull request,
 * where one is the deliverable. Each of the two is checkpointed, so a retry never repeats it.
 */
export async function publish(ctx: FixContext, committed: Committed): Promise<Published> {
  ctx.state.phase = "publish";
  const { request, config } = ctx;
  let pushed = ctx.checkpoint.current.pushed;
  if (!pushed) {
    await ctx.reporter.progress("publish", null, true);
    const push = await publishContext(ctx, committed);
    const notes: string[] = [];
    let branch: string | null = null;
    let onHead = false;
    if (request.base.kind === "pull-request" && request.issue.number !== null) {
      const pr = ctx.state.pullRequest ?? (await ctx.forge.getPullRequest(request, request.issue.number));
      const result = await pushOntoPullRequestHead(push, pr, committed.baseSha);
      if (result.pushed) {
        branch = pr.head.ref;
        onHead = true;
      } else {
        notes.push(`I could not push onto this pull request's branch: ${result.why}. I opened a pull request against it instead.`);
      }
    }
    if (branch === null) {
      const wanted = branchFor(config.branches.prefix, request.issue, request.issue.title);
      const free = await pushToFreeBranch(push, wanted);
      if (free.movedAside) notes.push(`\`${wanted}\` already had other commits, so I pushed to \`${free.branch}\` and left it untouched.`);
      branch = free.branch;
    }
    pushed = { branch, onHead, notes };
    await ctx.checkpoint.save({ pushed });
  }
  if (request.deliverable === "pull-request" && !pushed.onHead && !ctx.checkpoint.current.pullRequest) {
    const draft = committed.test.passed === false && config.pullRequests.draftWhenTestsFail;
    const pr = await openPullRequest(
      { forge: ctx.forge, repo: request },
      {
        head: pushed.branch,
        base: await pullRequestBase(ctx),
        title: pullRequestTitle(request),
        body: pullRequestBody(request, committed, ctx.deps.provider.label),
        draft,
      },
    );
    await ctx.checkpoint.save({ pullRequest: { number: pr.number, url: pr.url, draft: pr.draft } });
  }
  return { branch: pushed.branch, onHead: pushed.onHead, pullRequest: ctx.checkpoint.current.pullRequest ?? null, notes: pushed.notes };
}

async function publishContext(ctx: FixContext, committed: Committed): Promise<PublishContext> {
  const { request, config } = ctx;
  const rules: PushRules = {
    defaultBranch: request.defaultBranch,
    prefix: config.branches.prefix,
    protectedPatterns: config.branches.protected,
  };
  const token = await ctx.forge.gitToken();
  const { gitDir } = ctx.source;
  // After a restart the worktree is gone; the commit is still in the shared object store, unless a
  // clean-up removed it.
  const has = await runGit(["cat-file", "-e", `${committed.sha}^{commit}`], { cwd: gitDir, allowFailure: true });
  if (has.exitCode !== 0)
    throw new PhaseError({
      reason: "commit-lost",
      phase: "publish",
      message: "the commit made before the restart is gone",
      hint: "comment `/coder fix` again",
    });
  return { forge: ctx.forge, repo: request, gitDir, cloneUrl: ctx.source.remoteUrl, token, sha: committed.sha, rules };
}

/** A pull request on an issue goes into the default branch; one on a pull request into that pull request's branch. */
async function pullRequestBase(ctx: FixContext): Promise<string> {
  const { request } = ctx;
  if (request.base.kind !== "pull-request" || request.issue.number === null) return request.defaultBranch;
  const pr = ctx.state.pullRequest ?? (await ctx.forge.getPullRequest(request, request.issue.number));
  return headIsInRepository(pr, request) ? pr.head.ref : pr.base.ref;
}
