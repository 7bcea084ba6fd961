import { appObject } from "./apps.js";
import type { FakeContext } from "./context.js";
import { nodeId, timestamp } from "./ids.js";
import { findComment, mustFindRepo, requireIssueOrPull, requireRepo } from "./lookups.js";
import { reactionRollup } from "./reactions.js";
import type { CommentRecord } from "./records.js";
import { paginate, type Handlers } from "./routing.js";
import { repoKey, stringField } from "./strings.js";
import type { AddCommentOptions } from "./test-api.js";
import { userObject } from "./users.js";

function issueHtmlUrl(fake: FakeContext, repo: { owner: string; repo: string }, number: number): string {
  const isPull = fake.state.pulls.some(
    (pull) => pull.number === number && repoKey(pull.owner, pull.repo) === repoKey(repo.owner, repo.repo),
  );
  return `${fake.url}/${repo.owner}/${repo.repo}/${isPull ? "pull" : "issues"}/${number}`;
}

function commentObject(fake: FakeContext, comment: CommentRecord): Record<string, unknown> {
  const { botLogin } = fake;
  const repoUrl = `${fake.apiBase}/repos/${comment.owner}/${comment.repo}`;
  return {
    id: comment.id,
    node_id: nodeId("IC", comment.id),
    url: `${repoUrl}/issues/comments/${comment.id}`,
    html_url: `${issueHtmlUrl(fake, comment, comment.issueNumber)}#issuecomment-${comment.id}`,
    body: comment.body,
    user: userObject(fake, comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${repoUrl}/issues/${comment.issueNumber}`,
    author_association: comment.user === botLogin ? "NONE" : "CONTRIBUTOR",
    performed_via_github_app: comment.user === botLogin ? appObject(fake) : null,
    reactions: reactionRollup(fake, comment),
  };
}

function storeComment(
  fake: FakeContext,
  fields: Omit<CommentRecord, "id" | "history" | "createdAt" | "updatedAt"> & { id?: number },
): CommentRecord {
  const now = timestamp();
  const comment: CommentRecord = {
    ...fields,
    id: fields.id ?? fake.counters.comment++,
    history: [fields.body],
    createdAt: now,
    updatedAt: now,
  };
  fake.state.comments.push(comment);
  return comment;
}

export const commentHandlers: Handlers = {
  "issues/create-comment": (fake, { params, body }) => {
    const repo = requireRepo(fake.state, params);
    const issueNumber = Number(params.issue_number);
    requireIssueOrPull(fake.state, repo, issueNumber);
    const comment = storeComment(fake, {
      owner: repo.owner,
      repo: repo.name,
      issueNumber,
      body: stringField(body, "body") ?? "",
      user: fake.botLogin,
    });
    return {
      status: 201,
      json: commentObject(fake, comment),
      headers: { location: `${fake.apiBase}/repos/${repo.fullName}/issues/comments/${comment.id}` },
    };
  },

  "issues/get-comment": (fake, { params }) => {
    const repo = requireRepo(fake.state, params);
    return { status: 200, json: commentObject(fake, findComment(fake.state, repo, Number(params.comment_id))) };
  },

  "issues/update-comment": (fake, { params, body }) => {
    const repo = requireRepo(fake.state, params);
    const comment = findComment(fake.state, repo, Number(params.comment_id));
    comment.body = stringField(body, "body") ?? "";
    comment.history.push(comment.body);
    comment.updatedAt = timestamp();
    return { status: 200, json: commentObject(fake, comment) };
  },

  "issues/list-comments": (fake, context) => {
    const repo = requireRepo(fake.state, context.params);
    const issueNumber = Number(context.params.issue_number);
    requireIssueOrPull(fake.state, repo, issueNumber);
    const since = context.query.since === undefined ? undefined : Date.parse(context.query.since);
    const comments = fake.state.comments
      .filter((comment) => comment.issueNumber === issueNumber && repoKey(comment.owner, comment.repo) === repoKey(repo.owner, repo.name))
      .filter((comment) => since === undefined || Date.parse(comment.updatedAt) >= since)
      .sort((a, b) => a.id - b.id);
    const { page, headers } = paginate(fake, comments, context);
    return { status: 200, json: page.map((comment) => commentObject(fake, comment)), headers };
  },
};

export function addComment(fake: FakeContext, commentOptions: AddCommentOptions): CommentRecord {
  const { state, counters } = fake;
  const repo = mustFindRepo(state, commentOptions.owner, commentOptions.repo);
  if (commentOptions.id !== undefined && state.comments.some((comment) => comment.id === commentOptions.id)) {
    throw new Error(`fake GitHub: comment ${commentOptions.id} already exists`);
  }
  // Keep allocated ids clear of ones the test chose.
  if (commentOptions.id !== undefined && commentOptions.id >= counters.comment) counters.comment = commentOptions.id + 1;
  const { issueNumber, body, user = "octocat", id } = commentOptions;
  return storeComment(fake, { owner: repo.owner, repo: repo.name, issueNumber, body, user, id });
}
