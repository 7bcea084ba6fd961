import type { FakeContext } from "./context.js";
import { HttpError, notFound } from "./errors.js";
import type { GraphqlThreadSource } from "./graphql.js";
import { nodeId, timestamp } from "./ids.js";
import { findRepo, mustFindRepo, pullsOf, requirePull, requireRepo, samePull } from "./lookups.js";
import type { PullRecord, RepoState, ReviewCommentRecord, ReviewRecord } from "./records.js";
import type { ReviewCommentInput } from "./review-placement.js";
import { findReview, recordReview } from "./reviews.js";
import { paginate, type Handlers, type Reply, type RouteContext } from "./routing.js";
import { stringField } from "./strings.js";
import type { AddReviewCommentOptions } from "./test-api.js";
import { userObject } from "./users.js";

/** A reply joins the thread of the comment it answers; GitHub threads are one level deep. */
function recordReply(
  fake: FakeContext,
  repo: RepoState,
  pull: PullRecord,
  user: string,
  parentId: number,
  body: string,
): ReviewCommentRecord {
  const { state, counters } = fake;
  const parent = state.reviewComments.find((comment) => comment.id === parentId && samePull(comment, pull));
  if (parent === undefined) throw notFound();
  const root = state.reviewComments.find((comment) => comment.id === (parent.inReplyToId ?? parent.id)) ?? parent;
  const now = timestamp();
  // Each reply is a submitted review of its own on GitHub, with an empty body.
  const review: ReviewRecord = {
    id: counters.review++,
    owner: repo.owner,
    repo: repo.name,
    pullNumber: pull.number,
    user,
    body: "",
    state: "COMMENTED",
    commitId: root.commitId,
    submittedAt: now,
    createdAt: now,
  };
  state.reviews.push(review);
  const reply: ReviewCommentRecord = {
    ...root,
    id: counters.reviewComment++,
    reviewId: review.id,
    user,
    body,
    inReplyToId: root.id,
    createdAt: now,
    updatedAt: now,
  };
  state.reviewComments.push(reply);
  return reply;
}

function reviewCommentObject(fake: FakeContext, comment: ReviewCommentRecord): Record<string, unknown> {
  const repoUrl = `${fake.apiBase}/repos/${comment.owner}/${comment.repo}`;
  const selfUrl = `${repoUrl}/pulls/comments/${comment.id}`;
  const pullUrl = `${repoUrl}/pulls/${comment.pullNumber}`;
  const htmlUrl = `${fake.url}/${comment.owner}/${comment.repo}/pull/${comment.pullNumber}#discussion_r${comment.id}`;
  const zero = { "+1": 0, "-1": 0, laugh: 0, confused: 0, heart: 0, hooray: 0, eyes: 0, rocket: 0 };
  return {
    url: selfUrl,
    pull_request_review_id: comment.reviewId,
    id: comment.id,
    node_id: nodeId("PRRC", comment.id),
    diff_hunk: comment.diffHunk,
    path: comment.path,
    position: comment.position,
    original_position: comment.position,
    commit_id: comment.commitId,
    original_commit_id: comment.originalCommitId,
    ...(comment.inReplyToId !== null ? { in_reply_to_id: comment.inReplyToId } : {}),
    user: userObject(fake, comment.user),
    body: comment.body,
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    html_url: htmlUrl,
    pull_request_url: pullUrl,
    author_association: comment.user === fake.botLogin ? "NONE" : "CONTRIBUTOR",
    _links: { self: { href: selfUrl }, html: { href: htmlUrl }, pull_request: { href: pullUrl } },
    start_line: comment.startLine,
    original_start_line: comment.startLine,
    start_side: comment.startSide,
    line: comment.line,
    original_line: comment.line,
    side: comment.side,
    subject_type: "line",
    reactions: { url: `${selfUrl}/reactions`, total_count: 0, ...zero },
  };
}

function listReviewComments(fake: FakeContext, context: RouteContext): Reply {
  const { state } = fake;
  const repo = requireRepo(state, context.params);
  const pull = requirePull(state, repo, Number(context.params.pull_number));
  // Comments of a pending review are the author's draft; GitHub lists them only with that review.
  const pending = new Set(state.reviews.filter((review) => review.state === "PENDING").map((review) => review.id));
  const since = context.query.since === undefined ? undefined : Date.parse(context.query.since);
  const key = (comment: ReviewCommentRecord) => (context.query.sort === "updated" ? Date.parse(comment.updatedAt) : comment.id);
  const comments = state.reviewComments
    .filter((comment) => samePull(comment, pull) && !pending.has(comment.reviewId))
    .filter((comment) => since === undefined || Date.parse(comment.updatedAt) >= since)
    .sort((a, b) => key(a) - key(b) || a.id - b.id);
  if (context.query.sort !== undefined && context.query.direction === "desc") comments.reverse();
  const { page, headers } = paginate(fake, comments, context);
  return { status: 200, json: page.map((comment) => reviewCommentObject(fake, comment)), headers };
}

function listCommentsForReview(fake: FakeContext, context: RouteContext): Reply {
  const review = findReview(fake, context);
  const comments = fake.state.reviewComments.filter((comment) => comment.reviewId === review.id).sort((a, b) => a.id - b.id);
  const { page, headers } = paginate(fake, comments, context);
  return { status: 200, json: page.map((comment) => reviewCommentObject(fake, comment)), headers };
}

function createReply(fake: FakeContext, context: RouteContext): Reply {
  const repo = requireRepo(fake.state, context.params);
  const pull = requirePull(fake.state, repo, Number(context.params.pull_number));
  const reply = recordReply(fake, repo, pull, fake.botLogin, Number(context.params.comment_id), stringField(context.body, "body") ?? "");
  return {
    status: 201,
    json: reviewCommentObject(fake, reply),
    headers: { location: `${fake.apiBase}/repos/${repo.fullName}/pulls/comments/${reply.id}` },
  };
}

export const reviewCommentHandlers: Handlers = {
  "pulls/list-review-comments": (fake, context) => listReviewComments(fake, context),

  "pulls/list-comments-for-review": (fake, context) => listCommentsForReview(fake, context),

  "pulls/create-reply-for-review-comment": (fake, context) => createReply(fake, context),
};

export async function addReviewComment(fake: FakeContext, options: AddReviewCommentOptions): Promise<ReviewCommentRecord> {
  const repo = mustFindRepo(fake.state, options.owner, options.repo);
  const pull = pullsOf(fake.state, repo).find((candidate) => candidate.number === options.pullNumber);
  if (pull === undefined) throw new Error(`fake GitHub: add ${repo.fullName}#${options.pullNumber} with addPullRequest first`);
  const user = options.user ?? "octocat";
  try {
    if (options.inReplyTo !== undefined) return recordReply(fake, repo, pull, user, options.inReplyTo, options.body);
    const comment: ReviewCommentInput = { path: options.path ?? "", body: options.body };
    if (options.line !== undefined) comment.line = options.line;
    if (options.side !== undefined) comment.side = options.side;
    if (options.startLine !== undefined) comment.start_line = options.startLine;
    if (options.startSide !== undefined) comment.start_side = options.startSide;
    const review = await recordReview(fake, repo, pull, user, { event: "COMMENT", comments: [comment] });
    return fake.state.reviewComments.find((candidate) => candidate.reviewId === review.id) as ReviewCommentRecord;
  } catch (error) {
    if (error instanceof HttpError)
      throw new Error(`fake GitHub refuses the review comment: ${JSON.stringify(error.body)}`, { cause: error });
    throw error;
  }
}

export function resolveThread(fake: FakeContext, commentId: number): void {
  const comment = fake.state.reviewComments.find((candidate) => candidate.id === commentId);
  if (comment === undefined) throw new Error(`fake GitHub: no review comment ${commentId}`);
  fake.state.resolvedThreads.add(comment.inReplyToId ?? comment.id);
}

/** The review threads of a pull request as the GraphQL endpoint reports them, oldest first. */
export function reviewThreads(
  fake: FakeContext,
  owner: string,
  name: string,
  number: number,
): ReturnType<GraphqlThreadSource["threadsOf"]> {
  const repo = findRepo(fake.state, owner, name);
  if (repo === undefined) return "no-repo";
  const pull = pullsOf(fake.state, repo).find((candidate) => candidate.number === number);
  if (pull === undefined) return "no-pull";
  return fake.state.reviewComments
    .filter((comment) => comment.inReplyToId === null && samePull(comment, pull))
    .sort((a, b) => a.id - b.id)
    .map((root) => ({
      rootId: root.id,
      url: `${fake.url}/${root.owner}/${root.repo}/pull/${root.pullNumber}#discussion_r${root.id}`,
      resolved: fake.state.resolvedThreads.has(root.id),
    }));
}
