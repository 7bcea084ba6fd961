import type { FakeContext } from "./context.js";
import { GiteaError, notFound } from "./errors.js";
import { issueHtmlUrl } from "./issues.js";
import { findPull, isOfPull, mustFindRepo, requirePull, requireRepo } from "./lookups.js";
import type { ReviewCommentRecord, ReviewRecord } from "./records.js";
import { canSeeReview, createReview } from "./reviews.js";
import type { Handlers } from "./routing.js";
import type { AddReviewCommentOptions } from "./test-api.js";
import { ensureUser, userObject } from "./users.js";

/**
 * A PullReviewComment as `convert.ToPullReviewCommentList` renders it: `position` is the head-side
 * line (0 on the base side), `original_position` the base-side line. Gitea leaves
 * `original_commit_id` empty for comments made through a review (the stored `OldRef` is unset).
 */
export function reviewCommentObject(fake: FakeContext, comment: ReviewCommentRecord, review: ReviewRecord): Record<string, unknown> {
  const repo = mustFindRepo(fake.state, comment.owner, comment.repo);
  const pullUrl = issueHtmlUrl(fake, repo, comment.pullNumber);
  // A pending review's comments live on the files tab only.
  const anchor = review.state === "PENDING" ? `${pullUrl}/files#issuecomment-${comment.id}` : `${pullUrl}#issuecomment-${comment.id}`;
  return {
    id: comment.id,
    body: comment.body,
    user: userObject(fake, comment.user),
    resolver: comment.resolver === null ? null : userObject(fake, comment.resolver),
    pull_request_review_id: comment.reviewId,
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    path: comment.path,
    commit_id: comment.commitId,
    original_commit_id: "",
    diff_hunk: comment.diffHunk,
    position: comment.newPosition,
    original_position: comment.oldPosition,
    html_url: anchor,
    pull_request_url: pullUrl,
  };
}

export const reviewCommentHandlers: Handlers = {
  repoGetPullReviewComments: (fake, { params, doer }) => {
    const repo = requireRepo(fake, params);
    const pull = requirePull(fake, repo, Number(params.index));
    const review = fake.state.reviews.find((candidate) => candidate.id === Number(params.id));
    if (review === undefined || !isOfPull(review, pull) || !canSeeReview(fake, review, doer)) throw notFound();
    const comments = fake.state.reviewComments.filter((comment) => comment.reviewId === review.id).sort((a, b) => a.id - b.id);
    return { status: 200, json: comments.map((comment) => reviewCommentObject(fake, comment, review)) };
  },
};

/** A person's review comment: a COMMENT review with one comment. One on a path and line already commented answers there. */
export async function addReviewComment(fake: FakeContext, options: AddReviewCommentOptions): Promise<ReviewCommentRecord> {
  const repo = mustFindRepo(fake.state, options.owner, options.repo);
  const pull = findPull(fake.state, repo, options.pullNumber);
  if (pull === undefined) throw new Error(`fake Gitea: add ${repo.fullName}#${options.pullNumber} with addPullRequest first`);
  ensureUser(fake, options.user);
  const comment = {
    path: options.path,
    body: options.body,
    new_position: options.newPosition ?? 0,
    old_position: options.oldPosition ?? 0,
  };
  try {
    const review = await createReview(fake, repo, pull, options.user, { event: "COMMENT", body: "", comments: [comment] });
    return fake.state.reviewComments.filter((candidate) => candidate.reviewId === review.id).at(-1) as ReviewCommentRecord;
  } catch (error) {
    if (error instanceof GiteaError) throw new Error(`fake Gitea refuses the review comment: ${error.message}`, { cause: error });
    throw error;
  }
}

/** "Resolve conversation" on a review comment; by the repository owner unless `by` names someone. */
export function resolveThread(fake: FakeContext, commentId: number, by?: string): void {
  const comment = fake.state.reviewComments.find((candidate) => candidate.id === commentId);
  if (comment === undefined) throw new Error(`fake Gitea: no review comment ${commentId}`);
  comment.resolver = by ?? comment.owner;
  ensureUser(fake, comment.resolver);
}
