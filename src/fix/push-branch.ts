import type { PullRequestInfo, RepoRef } from "../forge/forge.js";
import type { ForgeWriter } from "../forge/forge-writer.js";
import { headIsInRepository } from "../forge/repository.js";
import type { PushRules } from "../git/push-policy.js";
import { branchRefusal } from "../git/push-policy.js";
import { pushCommit } from "../git/safe-push.js";
import { suffixed } from "./branch-name.js";
import { PhaseError } from "./phase-error.js";

export interface PublishContext {
  readonly forge: ForgeWriter;
  readonly repo: RepoRef;
  /** Where git runs: the repository's own git directory, which holds the commit. */
  readonly gitDir: string;
  readonly cloneUrl: string;
  readonly token: string | null;
  readonly sha: string;
  readonly rules: PushRules;
}

function publishError(message: string): PhaseError {
  return new PhaseError({ reason: "publish", phase: "publish", message });
}

const MAX_SUFFIX = 9;

/**
 * Pushes `sha` to `branch`, or to the first free `branch-N` when that branch exists with other
 * commits or is protected. Never forces: a branch someone else moved is left as it is.
 */
export async function pushToFreeBranch(ctx: PublishContext, branch: string): Promise<{ branch: string; movedAside: boolean }> {
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const candidate = suffixed(branch, n);
    const refusal = branchRefusal(candidate, ctx.rules);
    if (refusal) throw publishError(refusal);
    if (await ctx.forge.isBranchProtected(ctx.repo, candidate)) continue;
    const outcome = await pushCommit({
      cwd: ctx.gitDir,
      remoteUrl: ctx.cloneUrl,
      sha: ctx.sha,
      branch: candidate,
      token: ctx.token,
      rules: ctx.rules,
    });
    if (outcome.ok) return { branch: candidate, movedAside: n > 1 };
    if (outcome.reason !== "non-fast-forward") throw publishError(`the push to ${candidate} was refused: ${outcome.message}`);
  }
  throw publishError(`${branch} and its ${MAX_SUFFIX - 1} alternatives all hold other commits; delete stale coder branches and retry`);
}

/**
 * Pushes on top of a pull request's own head branch, fast-forward only. Returns null when that is
 * not possible (the head moved, lives in a fork, or is protected): the caller opens a pull request
 * against it instead.
 */
export async function pushOntoPullRequestHead(
  ctx: PublishContext,
  pr: PullRequestInfo,
  baseSha: string,
): Promise<{ pushed: true } | { pushed: false; why: string }> {
  if (!headIsInRepository(pr, ctx.repo)) {
    return { pushed: false, why: "the pull request's branch lives in a fork, which I cannot push to" };
  }
  const current = await ctx.forge.getPullRequest(ctx.repo, pr.number);
  // Already there: pushed by an attempt that crashed before it could record it.
  if (current.head.sha === ctx.sha) return { pushed: true };
  if (current.head.sha !== baseSha) {
    return { pushed: false, why: `the branch \`${pr.head.ref}\` moved while I worked (now at ${current.head.sha.slice(0, 7)})` };
  }
  const rules = { ...ctx.rules, allowedHead: pr.head.ref };
  const refusal = branchRefusal(pr.head.ref, rules);
  if (refusal) return { pushed: false, why: refusal };
  if (await ctx.forge.isBranchProtected(ctx.repo, pr.head.ref)) return { pushed: false, why: `\`${pr.head.ref}\` is a protected branch` };
  const outcome = await pushCommit({
    cwd: ctx.gitDir,
    remoteUrl: ctx.cloneUrl,
    sha: ctx.sha,
    branch: pr.head.ref,
    token: ctx.token,
    rules,
  });
  if (outcome.ok) return { pushed: true };
  if (outcome.reason === "non-fast-forward") return { pushed: false, why: `the branch \`${pr.head.ref}\` moved while I worked` };
  throw publishError(`the push to ${pr.head.ref} was refused: ${outcome.message}`);
}

/** Opens the pull request, or finds the one a previous attempt of this job already opened. */
export async function openPullRequest(
  ctx: Pick<PublishContext, "forge" | "repo">,
  params: { head: string; base: string; title: string; body: string; draft: boolean },
): Promise<PullRequestInfo> {
  const existing = await ctx.forge.findOpenPullRequest(ctx.repo, params.head);
  if (existing) return existing;
  return ctx.forge.createPullRequest(ctx.repo, params);
}
