import { stringField } from "../fake-github/strings.js";
import { accessMode, canWrite } from "./access.js";
import type { FakeContext } from "./context.js";
import { notFound } from "./errors.js";
import { timestamp } from "./ids.js";
import { issueHtmlUrl } from "./issues.js";
import { findComment, findIssue, findPull, mustFindRepo, requireRepo } from "./lookups.js";
import type { CommentRecord, RepoState } from "./records.js";
import type { Handlers } from "./routing.js";
import type { AddCommentOptions } from "./test-api.js";
import { ensureUser, userObject } from "./users.js";

/**
 * A Comment as `convert.ToAPIComment` renders it. On a pull request `pull_request_url` is set and
 * `issue_url` is empty; on an issue it is the other way round.
 */
export function commentObject(fake: FakeContext, repo: RepoState, comment: CommentRecord): Record<string, unknown> {
  const issueUrl = issueHtmlUrl(fake, repo, comment.issueNumber);
  const isPull = findPull(fake.state, repo, comment.issueNumber) !== undefined;
  return {
    id: comment.id,
    html_url: `${issueUrl}#issuecomment-${comment.id}`,
    pull_request_url: isPull ? issueUrl : "",
    issue_url: isPull ? "" : issueUrl,
    user: userObject(fake, comment.user),
    original_author: "",
    original_author_id: 0,
    body: comment.body,
    assets: [],
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
  };
}

function storeComment(
  fake: FakeContext,
  repo: RepoState,
  fields: { issueNumber: number; body: string; user: string; id?: number },
): CommentRecord {
  const now = timestamp();
  const comment: CommentRecord = {
    id: fields.id ?? fake.counters.comment++,
    owner: repo.owner,
    repo: repo.name,
    issueNumber: fields.issueNumber,
    body: fields.body,
    user: fields.user,
    history: [fields.body],
    createdAt: now,
    updatedAt: now,
  };
  fake.state.comments.push(comment);
  return comment;
}

export const commentHandlers: Handlers = {
  issueGetComment: (fake, { params }) => {
    const repo = requireRepo(fake, params);
    return { status: 200, json: commentObject(fake, repo, findComment(fake, repo, Number(params.id))) };
  },

  issueCreateComment: (fake, { params, body, doer }) => {
    const repo = requireRepo(fake, params);
    const issueNumber = Number(params.index);
    if (findIssue(fake.state, repo, issueNumber) === undefined && findPull(fake.state, repo, issueNumber) === undefined) {
      throw notFound(undefined, [`issue does not exist [id: 0, repo_id: ${repo.id}, index: ${issueNumber}]`]);
    }
    const comment = storeComment(fake, repo, { issueNumber, body: stringField(body, "body") ?? "", user: doer });
    return { status: 201, json: commentObject(fake, repo, comment) };
  },

  /** Its author may edit a comment, and so may a writer; anyone else gets a bare 403, as from `ctx.Status`. */
  issueEditComment: (fake, { params, body, doer }) => {
    const repo = requireRepo(fake, params);
    const comment = findComment(fake, repo, Number(params.id));
    if (comment.user.toLowerCase() !== doer.toLowerCase() && !canWrite(accessMode(fake, repo, doer))) return { status: 403 };
    comment.body = stringField(body, "body") ?? "";
    comment.history.push(comment.body);
    comment.updatedAt = timestamp();
    return { status: 200, json: commentObject(fake, repo, comment) };
  },
};

export function addComment(fake: FakeContext, options: AddCommentOptions): CommentRecord {
  const { state, counters } = fake;
  const repo = mustFindRepo(state, options.owner, options.repo);
  if (findIssue(state, repo, options.issueNumber) === undefined && findPull(state, repo, options.issueNumber) === undefined) {
    throw new Error(`fake Gitea: add ${repo.fullName}#${options.issueNumber} with addIssue or addPullRequest first`);
  }
  if (options.id !== undefined && state.comments.some((comment) => comment.id === options.id)) {
    throw new Error(`fake Gitea: comment ${options.id} already exists`);
  }
  // Keep allocated ids clear of the ones a test chose (to match a webhook payload, say).
  if (options.id !== undefined && options.id >= counters.comment) counters.comment = options.id + 1;
  const user = options.user ?? "alice";
  ensureUser(fake, user);
  return storeComment(fake, repo, { issueNumber: options.issueNumber, body: options.body, user, id: options.id });
}
