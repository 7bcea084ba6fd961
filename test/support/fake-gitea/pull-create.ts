import { stringField } from "../fake-github/strings.js";
import type { FakeContext } from "./context.js";
import { GiteaError, notFound, unprocessable } from "./errors.js";
import { branchSha, branchShaSync } from "./git-refs.js";
import { timestamp } from "./ids.js";
import { claimNumber, mustFindRepo, pullsOf, requireRepo } from "./lookups.js";
import { pullObject } from "./pulls.js";
import type { PullRecord, RepoState } from "./records.js";
import type { Handlers, Reply, RouteContext } from "./routing.js";
import type { AddPullRequestOptions } from "./test-api.js";
import { ensureUser } from "./users.js";

/**
 * `head` is a branch of this repository, or `owner:branch` naming its owner. Pull requests from
 * forks are not modelled: another owner answers 404, as a fork Gitea cannot find would.
 */
function headBranch(repo: RepoState, head: string): string | null {
  const colon = head.indexOf(":");
  if (colon === -1) return head;
  return head.slice(0, colon).toLowerCase() === repo.owner.toLowerCase() ? head.slice(colon + 1) : null;
}

function storePull(
  fake: FakeContext,
  repo: RepoState,
  fields: Omit<PullRecord, "id" | "issueId" | "owner" | "repo" | "state" | "createdAt" | "updatedAt">,
): PullRecord {
  const now = timestamp();
  const pull: PullRecord = {
    ...fields,
    id: fake.counters.pull++,
    issueId: fake.counters.issue++,
    owner: repo.owner,
    repo: repo.name,
    state: "open",
    createdAt: now,
    updatedAt: now,
  };
  fake.state.pulls.push(pull);
  return pull;
}

/**
 * What Gitea's `CreatePullRequest` checks, in its order: the form binding's required fields,
 * head ≠ base, both branches exist (404, as `parseCompareInfo` answers), no open pull request
 * for the same head and base (409). Gitea does not refuse a head without new commits here.
 */
async function createPull(fake: FakeContext, context: RouteContext): Promise<Reply> {
  const repo = requireRepo(fake, context.params);
  const field = (name: string) => stringField(context.body, name) ?? "";
  const [head, base, title] = [field("head"), field("base"), field("title")] as const;
  for (const [name, value] of [
    ["Head", head],
    ["Base", base],
    ["Title", title],
  ] as const) {
    if (value === "") throw unprocessable(`[${name}]: Required`);
  }
  if (head === base) throw unprocessable("Invalid PullRequest: There are no changes between the head and the base");
  const headRef = headBranch(repo, head);
  const headSha = headRef === null ? null : await branchSha(repo, headRef);
  if ((await branchSha(repo, base)) === null) throw notFound("BaseNotExist");
  if (headRef === null || headSha === null) throw notFound("IsRefExist");
  const existing = pullsOf(fake.state, repo).find((pull) => pull.state === "open" && pull.headRef === headRef && pull.baseRef === base);
  if (existing !== undefined) {
    throw new GiteaError(
      409,
      `pull request already exists for these targets [id: ${existing.id}, issue_id: ${existing.number}, head_repo_id: ${repo.id}, base_repo_id: ${repo.id}, head_branch: ${headRef}, base_branch: ${base}]`,
    );
  }
  const pull = storePull(fake, repo, {
    number: claimNumber(fake.state, repo, undefined),
    title,
    body: stringField(context.body, "body") ?? "",
    user: context.doer,
    headRef,
    headSha,
    baseRef: base,
  });
  return { status: 201, json: await pullObject(fake, pull, context.doer) };
}

export const pullCreateHandlers: Handlers = {
  repoCreatePullRequest: (fake, context) => createPull(fake, context),
};

export function addPullRequest(fake: FakeContext, options: AddPullRequestOptions): PullRecord {
  const repo = mustFindRepo(fake.state, options.owner, options.repo);
  const baseRef = options.baseRef ?? repo.defaultBranch;
  const headSha = branchShaSync(repo, options.headRef);
  if (headSha === null) throw new Error(`fake Gitea: ${repo.fullName} has no branch ${options.headRef}`);
  if (branchShaSync(repo, baseRef) === null) throw new Error(`fake Gitea: ${repo.fullName} has no branch ${baseRef}`);
  const user = options.user ?? "alice";
  ensureUser(fake, user);
  return storePull(fake, repo, {
    number: claimNumber(fake.state, repo, options.number),
    title: options.title,
    body: options.body ?? "",
    user,
    headRef: options.headRef,
    headSha,
    baseRef,
  });
}
