import type { NewReview, NewReviewComment, ReviewEvent } from "../forge.js";

const events: Readonly<Record<ReviewEvent, string>> = { COMMENT: "COMMENT", APPROVE: "APPROVED", REQUEST_CHANGES: "REQUEST_CHANGES" };

/** Gitea's body for `POST …/pulls/{index}/reviews` (CreatePullReviewOptions). */
export interface GiteaNewReview {
  readonly body: string;
  readonly event: string;
  readonly commit_id: string;
  readonly comments: ReadonlyArray<{
    readonly path: string;
    readonly body: string;
    readonly new_position: number;
    readonly old_position: number;
  }>;
}

/**
 * A review in Gitea's terms. Its comments sit on one line, given on the side it belongs to
 * (`new_position` for added and context lines, `old_position` for removed ones); a range is
 * anchored on its last line and names its first. Gitea does not render GitHub's `suggestion`
 * blocks, so a suggested replacement is shown as a plain code block that says what it is.
 */
export function giteaReviewOf(review: NewReview): GiteaNewReview {
  return {
    body: review.body,
    event: events[review.event],
    commit_id: review.commitId,
    comments: review.comments.map((comment) => ({
      path: comment.path,
      body: commentBody(comment),
      new_position: comment.side === "RIGHT" ? comment.line : 0,
      old_position: comment.side === "LEFT" ? comment.line : 0,
    })),
  };
}

function commentBody(comment: NewReviewComment): string {
  const range =
    comment.startLine !== undefined && comment.startLine < comment.line ? `Lines ${comment.startLine}–${comment.line}:\n\n` : "";
  return range + withoutSuggestionBlocks(comment.body);
}

/** ```` ```suggestion ```` → a captioned plain block, keeping the fence's length so nested fences still close right. */
export function withoutSuggestionBlocks(body: string): string {
  return body.replace(/^(`{3,})suggestion[ \t]*$/gm, (_line, fence: string) => `Suggested replacement:\n\n${fence}`);
}
