import { branchSha } from "./branches.js";
import { diffEntryObject } from "./commits.js";
import type { FakeContext } from "./context.js";
import { fakeSha, nodeId } from "./ids.js";
import { findRepo, pullsOf, requirePull, requireRepo, samePull } from "./lookups.js";
import { currentHeadSha, pullFigures, pullGit } from "./pull-git.js";
import type { PullRecord, RepoState } from "./records.js";
import { foreignRepoObject, repoObject } from "./repos.js";
import { paginate, type Handlers, type Reply, type RouteContext } from "./routing.js";
import { repoKey, sameLogin, splitOnce } from "./strings.js";
import { userObject } from "./users.js";

/** GitHub lists at most 3,000 files of a pull request. */
const MAX_PULL_FILES = 3000;

function branchSide(fake: FakeContext, ref: string, sha: string, repoFullName: string, cloneUrl: string): Record<string, unknown> {
  const [owner = "", name = ""] = repoFullName.split("/");
  const known = findRepo(fake.state, owner, name);
  const repo = known !== undefined ? { ...repoObject(fake, known), clone_url: cloneUrl } : foreignRepoObject(fake, repoFullName, cloneUrl);
  return { label: `${owner}:${ref}`, ref, sha, user: userObject(fake, owner), repo };
}

export async function pullObject(fake: FakeContext, pull: PullRecord, detailed: boolean): Promise<Record<string, unknown>> {
  const { url, state } = fake;
  const repo = findRepo(state, pull.owner, pull.repo) as RepoState;
  const repoUrl = `${fake.apiBase}/repos/${repo.fullName}`;
  const pullUrl = `${repoUrl}/pulls/${pull.number}`;
  const htmlUrl = `${url}/${repo.fullName}/pull/${pull.number}`;
  const headSha = await currentHeadSha(fake, pull);
  const baseSha = (await branchSha(repo, pull.baseRef)) ?? fakeSha(`${repo.fullName}:${pull.baseRef}`);
  const simple: Record<string, unknown> = {
    url: pullUrl,
    id: pull.id,
    node_id: nodeId("PR", pull.id),
    html_url: htmlUrl,
    diff_url: `${htmlUrl}.diff`,
    patch_url: `${htmlUrl}.patch`,
    issue_url: `${repoUrl}/issues/${pull.number}`,
    commits_url: `${pullUrl}/commits`,
    review_comments_url: `${pullUrl}/comments`,
    review_comment_url: `${repoUrl}/pulls/comments{/number}`,
    comments_url: `${repoUrl}/issues/${pull.number}/comments`,
    statuses_url: `${repoUrl}/statuses/${headSha}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: userObject(fake, pull.user),
    body: pull.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: branchSide(fake, pull.headRef, headSha, pull.headRepoFullName, pull.headCloneUrl),
    base: branchSide(fake, pull.baseRef, baseSha, repo.fullName, repo.cloneUrl),
    _links: {
      self: { href: pullUrl },
      html: { href: htmlUrl },
      issue: { href: `${repoUrl}/issues/${pull.number}` },
      comments: { href: `${repoUrl}/issues/${pull.number}/comments` },
      review_comments: { href: `${pullUrl}/comments` },
      review_comment: { href: `${repoUrl}/pulls/comments{/number}` },
      commits: { href: `${pullUrl}/commits` },
      statuses: { href: `${repoUrl}/statuses/${headSha}` },
    },
    author_association: pull.user === fake.botLogin ? "NONE" : "CONTRIBUTOR",
    auto_merge: null,
    draft: pull.draft,
  };
  if (!detailed) return simple;
  const figures = await pullFigures(fake, pull);
  return {
    ...simple,
    merged: false,
    mergeable: null,
    rebaseable: null,
    mergeable_state: "unknown",
    merged_by: null,
    comments: state.comments.filter(
      (comment) => comment.issueNumber === pull.number && repoKey(comment.owner, comment.repo) === repoKey(pull.owner, pull.repo),
    ).length,
    review_comments: state.reviewComments.filter((comment) => samePull(comment, pull)).length,
    maintainer_can_modify: pull.maintainerCanModify,
    commits: figures.commits,
    additions: figures.additions,
    deletions: figures.deletions,
    changed_files: figures.changedFiles,
  };
}

/**
 * GitHub ignores a `head` filter that lacks the `owner:` part and lists every pull request,
 * a classic source of "found an unrelated PR" bugs; the fake does the same.
 */
function pullFilter(query: Record<string, string>): (pull: PullRecord) => boolean {
  const wantedState = query.state ?? "open";
  const [headOwner, headRef] = query.head?.includes(":") === true ? splitOnce(query.head, ":") : [undefined, undefined];
  return (pull) =>
    (wantedState === "all" || pull.state === wantedState) &&
    (query.base === undefined || pull.baseRef === query.base) &&
    (headOwner === undefined || (sameLogin(pull.headRepoFullName.split("/")[0] ?? "", headOwner) && pull.headRef === headRef));
}

function sortPulls(pulls: PullRecord[], query: Record<string, string>): PullRecord[] {
  const sort = query.sort ?? "created";
  const direction = query.direction ?? (sort === "created" ? "desc" : "asc");
  const key = (pull: PullRecord) => (sort === "updated" ? Date.parse(pull.updatedAt) : pull.id);
  const sorted = [...pulls].sort((a, b) => key(a) - key(b) || a.id - b.id);
  return direction === "desc" ? sorted.reverse() : sorted;
}

async function listPullFiles(fake: FakeContext, context: RouteContext): Promise<Reply> {
  const repo = requireRepo(fake.state, context.params);
  const pull = requirePull(fake.state, repo, Number(context.params.pull_number));
  const where = await pullGit(fake, pull);
  const files = (await fake.git.diffOnce(where.gitDir, where.mergeBase, where.headSha)).slice(0, MAX_PULL_FILES);
  const { page, headers } = paginate(fake, files, context);
  return { status: 200, json: page.map((file) => diffEntryObject(fake, repo, where.headSha, file)), headers };
}

export const pullHandlers: Handlers = {
  "pulls/get": async (fake, { params }) => {
    const repo = requireRepo(fake.state, params);
    const pull = requirePull(fake.state, repo, Number(params.pull_number));
    return { status: 200, json: await pullObject(fake, pull, true) };
  },

  "pulls/list": async (fake, context) => {
    const repo = requireRepo(fake.state, context.params);
    const pulls = sortPulls(pullsOf(fake.state, repo).filter(pullFilter(context.query)), context.query);
    const { page, headers } = paginate(fake, pulls, context);
    return { status: 200, json: await Promise.all(page.map((pull) => pullObject(fake, pull, false))), headers };
  },

  "pulls/list-files": (fake, context) => listPullFiles(fake, context),
};
