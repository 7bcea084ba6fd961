import { repoKey } from "../fake-github/strings.js";
import type { FakeContext } from "./context.js";
import { GiteaError, notFound } from "./errors.js";
import { timestamp } from "./ids.js";
import { claimNumber, findIssue, findPull, mustFindRepo, requireRepo } from "./lookups.js";
import type { IssueRecord, PullRecord, RepoState } from "./records.js";
import { repoApiUrl, repoHtmlUrl } from "./repos.js";
import type { Handlers } from "./routing.js";
import type { AddIssueOptions } from "./test-api.js";
import { ensureUser, userObject } from "./users.js";

/** Gitea's web address of an issue or pull request: `/issues/N` or `/pulls/N`. */
export function issueHtmlUrl(fake: FakeContext, repo: RepoState, number: number): string {
  const kind = findPull(fake.state, repo, number) === undefined ? "issues" : "pulls";
  return `${repoHtmlUrl(fake, repo)}/${kind}/${number}`;
}

export function commentCount(fake: FakeContext, repo: RepoState, number: number): number {
  return fake.state.comments.filter(
    (comment) => comment.issueNumber === number && repoKey(comment.owner, comment.repo) === repoKey(repo.owner, repo.name),
  ).length;
}

/** Gitea's draft marker: a title starting with one of `[setting.Repository.PullRequest] WORK_IN_PROGRESS_PREFIXES`. */
export function isWorkInProgress(title: string): boolean {
  return /^(WIP:|\[WIP\])/i.test(title);
}

/** An Issue as `convert.ToAPIIssue` renders it; a pull request is an issue too, with `pull_request` set. */
export function issueObject(fake: FakeContext, repo: RepoState, entry: IssueRecord | PullRecord): Record<string, unknown> {
  const isPull = "headRef" in entry;
  return {
    id: isPull ? entry.issueId : entry.id,
    url: `${repoApiUrl(fake, repo)}/issues/${entry.number}`,
    html_url: issueHtmlUrl(fake, repo, entry.number),
    number: entry.number,
    user: userObject(fake, entry.user),
    original_author: "",
    original_author_id: 0,
    title: entry.title,
    body: entry.body,
    ref: "",
    assets: [],
    labels: [],
    milestone: null,
    assignee: null,
    assignees: null,
    state: entry.state,
    is_locked: false,
    comments: commentCount(fake, repo, entry.number),
    created_at: entry.createdAt,
    updated_at: entry.updatedAt,
    closed_at: null,
    due_date: null,
    pull_request: isPull ? { merged: false, merged_at: null, draft: isWorkInProgress(entry.title) } : null,
    repository: { id: repo.id, name: repo.name, owner: repo.owner, full_name: repo.fullName },
    pin_order: 0,
  };
}

export const issueHandlers: Handlers = {
  issueCreateIssue: (fake, { params, body, doer }) => {
    const repo = requireRepo(fake, params);
    const fields = (body ?? {}) as { title?: unknown; body?: unknown };
    if (typeof fields.title !== "string" || fields.title === "") throw new GiteaError(422, "[Title]: Required");
    const issue = addIssue(fake, {
      owner: repo.owner,
      repo: repo.name,
      title: fields.title,
      body: typeof fields.body === "string" ? fields.body : "",
      user: doer,
    });
    return { status: 201, json: issueObject(fake, repo, issue) };
  },
  issueGetIssue: (fake, { params }) => {
    const repo = requireRepo(fake, params);
    const number = Number(params.index);
    const entry = findIssue(fake.state, repo, number) ?? findPull(fake.state, repo, number);
    if (entry === undefined) throw notFound(undefined, [`issue does not exist [id: 0, repo_id: ${repo.id}, index: ${number}]`]);
    return { status: 200, json: issueObject(fake, repo, entry) };
  },
};

export function addIssue(fake: FakeContext, options: AddIssueOptions): IssueRecord {
  const repo = mustFindRepo(fake.state, options.owner, options.repo);
  const user = options.user ?? repo.owner;
  ensureUser(fake, user);
  const now = timestamp();
  const issue: IssueRecord = {
    id: fake.counters.issue++,
    owner: repo.owner,
    repo: repo.name,
    number: claimNumber(fake.state, repo, options.number),
    title: options.title,
    body: options.body,
    user,
    state: "open",
    createdAt: now,
    updatedAt: now,
  };
  fake.state.issues.push(issue);
  return issue;
}
