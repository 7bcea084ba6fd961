import type { FakeContext } from "./context.js";
import { notFound } from "./errors.js";
import { nodeId, timestamp } from "./ids.js";
import { claimNumber, issuesOf, mustFindRepo, pullsOf, requireRepo } from "./lookups.js";
import type { IssueRecord, PullRecord } from "./records.js";
import type { Handlers } from "./routing.js";
import { repoKey } from "./strings.js";
import type { AddIssueOptions } from "./test-api.js";
import { userObject } from "./users.js";

function issueObject(fake: FakeContext, issue: IssueRecord): Record<string, unknown> {
  const repoUrl = `${fake.apiBase}/repos/${issue.owner}/${issue.repo}`;
  const issueUrl = `${repoUrl}/issues/${issue.number}`;
  return {
    id: issue.id,
    node_id: nodeId("I", issue.id),
    url: issueUrl,
    repository_url: repoUrl,
    labels_url: `${issueUrl}/labels{/name}`,
    comments_url: `${issueUrl}/comments`,
    events_url: `${issueUrl}/events`,
    html_url: `${fake.url}/${issue.owner}/${issue.repo}/issues/${issue.number}`,
    number: issue.number,
    state: issue.state,
    state_reason: null,
    title: issue.title,
    body: issue.body,
    user: userObject(fake, issue.user),
    labels: [],
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: fake.state.comments.filter(
      (comment) => comment.issueNumber === issue.number && repoKey(comment.owner, comment.repo) === repoKey(issue.owner, issue.repo),
    ).length,
    closed_at: null,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    author_association: "CONTRIBUTOR",
  };
}

function pullAsIssue(fake: FakeContext, pull: PullRecord): Record<string, unknown> {
  const { url } = fake;
  const repoUrl = `${fake.apiBase}/repos/${pull.owner}/${pull.repo}`;
  const issue: IssueRecord = { ...pull, id: pull.id, body: pull.body ?? "" };
  return {
    ...issueObject(fake, issue),
    html_url: `${url}/${pull.owner}/${pull.repo}/pull/${pull.number}`,
    draft: pull.draft,
    pull_request: {
      url: `${repoUrl}/pulls/${pull.number}`,
      html_url: `${url}/${pull.owner}/${pull.repo}/pull/${pull.number}`,
      diff_url: `${url}/${pull.owner}/${pull.repo}/pull/${pull.number}.diff`,
      patch_url: `${url}/${pull.owner}/${pull.repo}/pull/${pull.number}.patch`,
      merged_at: null,
    },
  };
}

export const issueHandlers: Handlers = {
  "issues/get": (fake, { params }) => {
    const repo = requireRepo(fake.state, params);
    const number = Number(params.issue_number);
    const issue = issuesOf(fake.state, repo).find((candidate) => candidate.number === number);
    if (issue !== undefined) return { status: 200, json: issueObject(fake, issue) };
    const pull = pullsOf(fake.state, repo).find((candidate) => candidate.number === number);
    if (pull === undefined) throw notFound();
    return { status: 200, json: pullAsIssue(fake, pull) };
  },
};

export function addIssue(fake: FakeContext, issueOptions: AddIssueOptions): IssueRecord {
  const repo = mustFindRepo(fake.state, issueOptions.owner, issueOptions.repo);
  const now = timestamp();
  const number = claimNumber(fake.state, repo, issueOptions.number);
  const issue: IssueRecord = {
    id: fake.counters.issue++,
    owner: repo.owner,
    repo: repo.name,
    number,
    title: issueOptions.title ?? `Issue ${number}`,
    body: issueOptions.body ?? "",
    user: issueOptions.user ?? "octocat",
    state: issueOptions.state ?? "open",
    createdAt: now,
    updatedAt: now,
  };
  fake.state.issues.push(issue);
  return issue;
}
