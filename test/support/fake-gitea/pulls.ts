import type { FakeContext } from "./context.js";
import { commentCount, issueHtmlUrl } from "./issues.js";
import { mustFindRepo, pullsOf, requirePull, requireRepo } from "./lookups.js";
import { pullGit } from "./pull-git.js";
import type { PullRecord, RepoState } from "./records.js";
import { repoObject } from "./repos.js";
import { paginate, type Handlers, type RouteContext } from "./routing.js";
import { userObject } from "./users.js";

function branchInfo(fake: FakeContext, repo: RepoState, ref: string, sha: string, doer: string): Record<string, unknown> {
  // Gitea's `label` is the bare branch name (GitHub's is `owner:branch`).
  return { label: ref, ref, sha, repo_id: repo.id, repo: repoObject(fake, repo, doer) };
}

/**
 * A PullRequest as `convert.ToAPIPullRequest` renders it. Its `url` is the web address, as in
 * Gitea. This description has no `draft` field: Gitea marks a draft by a `WIP:` title prefix.
 */
export async function pullObject(fake: FakeContext, pull: PullRecord, doer: string): Promise<Record<string, unknown>> {
  const repo = mustFindRepo(fake.state, pull.owner, pull.repo);
  const where = await pullGit(fake, pull);
  const htmlUrl = issueHtmlUrl(fake, repo, pull.number);
  return {
    id: pull.id,
    url: htmlUrl,
    number: pull.number,
    user: userObject(fake, pull.user),
    title: pull.title,
    body: pull.body,
    labels: [],
    milestone: null,
    assignee: null,
    assignees: null,
    requested_reviewers: [],
    state: pull.state,
    is_locked: false,
    comments: commentCount(fake, repo, pull.number),
    html_url: htmlUrl,
    diff_url: `${htmlUrl}.diff`,
    patch_url: `${htmlUrl}.patch`,
    mergeable: true,
    merged: false,
    merged_at: null,
    merge_commit_sha: null,
    merged_by: null,
    allow_maintainer_edit: false,
    base: branchInfo(fake, repo, pull.baseRef, where.baseSha, doer),
    head: branchInfo(fake, repo, pull.headRef, where.headSha, doer),
    merge_base: where.mergeBase,
    due_date: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: null,
    pin_order: 0,
  };
}

/** Gitea lists the newest first unless `sort` says otherwise. */
function sortPulls(pulls: PullRecord[], sort: string | undefined): PullRecord[] {
  const byCreation = [...pulls].sort((a, b) => b.id - a.id);
  const byUpdate = (a: PullRecord, b: PullRecord) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || b.id - a.id;
  if (sort === "oldest") return byCreation.reverse();
  if (sort === "recentupdate") return [...pulls].sort(byUpdate);
  if (sort === "leastupdate") return [...pulls].sort(byUpdate).reverse();
  return byCreation;
}

async function listPulls(fake: FakeContext, context: RouteContext) {
  const repo = requireRepo(fake, context.params);
  const state = context.query.state ?? "open";
  // Labels and milestones are not modelled, so filtering by them leaves nothing.
  const filtered = context.query.labels !== undefined || context.query.milestone !== undefined;
  const pulls = filtered ? [] : pullsOf(fake.state, repo).filter((pull) => state === "all" || pull.state === state);
  const { page, headers } = paginate(fake, sortPulls(pulls, context.query.sort), context);
  return { status: 200, json: await Promise.all(page.map((pull) => pullObject(fake, pull, context.doer))), headers };
}

export const pullHandlers: Handlers = {
  repoGetPullRequest: async (fake, { params, doer }) => {
    const repo = requireRepo(fake, params);
    return { status: 200, json: await pullObject(fake, requirePull(fake, repo, Number(params.index)), doer) };
  },

  repoListPullRequests: (fake, context) => listPulls(fake, context),
};
