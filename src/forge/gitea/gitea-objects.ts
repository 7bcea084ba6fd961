import type { Actor, PullRequestInfo, Review, ReviewComment, ReviewState } from "../forge.js";
import type { GiteaPullRequest, GiteaReview, GiteaReviewComment, GiteaReviewState, GiteaUser } from "./gitea-types.js";
import { isWorkInProgress } from "./work-in-progress.js";

/** Gitea's own accounts (the ghost of a deleted user, the Actions bot) have ids below one. */
export function toActor(user: GiteaUser, botLogin: string): Actor {
  return { login: user.login, isBot: user.id <= 0 || user.login.toLowerCase() === botLogin.toLowerCase() };
}

export function toPullRequest(pr: GiteaPullRequest, botLogin: string): PullRequestInfo {
  return {
    number: pr.number,
    url: pr.html_url,
    title: pr.title,
    body: pr.body ?? "",
    draft: pr.draft ?? isWorkInProgress(pr.title),
    state: pr.state === "closed" ? "closed" : "open",
    author: pr.user ? toActor(pr.user, botLogin) : { login: "Ghost", isBot: false },
    head: { ref: pr.head.ref, sha: pr.head.sha, repoFullName: pr.head.repo?.full_name ?? null, cloneUrl: pr.head.repo?.clone_url ?? null },
    base: { ref: pr.base.ref, sha: pr.base.sha, repoFullName: pr.base.repo?.full_name ?? "" },
  };
}

const reviewStates: Readonly<Record<GiteaReviewState, ReviewState>> = {
  APPROVED: "APPROVED",
  REQUEST_CHANGES: "CHANGES_REQUESTED",
  COMMENT: "COMMENTED",
  PENDING: "PENDING",
  REQUEST_REVIEW: "PENDING",
};

export function toReview(review: GiteaReview, botLogin: string): Review {
  return {
    id: review.id,
    commitId: review.commit_id || null,
    author: review.user ? toActor(review.user, botLogin) : null,
    body: review.body,
    state: review.dismissed ? "DISMISSED" : (reviewStates[review.state] ?? "COMMENTED"),
    submittedAt: review.submitted_at,
  };
}

/**
 * Review comments with GitHub's threading: Gitea groups comments on the same line of the same file
 * into one conversation, so the first of them is the thread a later one replies to.
 */
export function toReviewComments(comments: readonly GiteaReviewComment[], botLogin: string): ReviewComment[] {
  const firsts = new Map<string, number>();
  return comments.map((comment) => {
    const side = comment.position > 0 ? "RIGHT" : "LEFT";
    const line = side === "RIGHT" ? comment.position : comment.original_position;
    const key = `${comment.path}\u0000${side}\u0000${line}`;
    const first = firsts.get(key);
    if (first === undefined) firsts.set(key, comment.id);
    return {
      id: comment.id,
      reviewId: comment.pull_request_review_id,
      path: comment.path,
      line: line > 0 ? line : null,
      originalLine: comment.original_position > 0 ? comment.original_position : line > 0 ? line : null,
      startLine: null,
      side,
      body: comment.body,
      author: comment.user ? toActor(comment.user, botLogin) : null,
      inReplyToId: first ?? null,
      commitId: comment.commit_id,
      originalCommitId: comment.original_commit_id || comment.commit_id,
      createdAt: comment.created_at,
      url: comment.html_url,
    };
  });
}
