import type { Review, ReviewComment } from "../forge/forge.js";
import { readFindingMarkers } from "./finding-marker.js";
import { REVIEW_HEADING } from "./render-review.js";

/** What the pull request itself shows of earlier reviews by this bot, and of what people did with them. */
export interface PriorReviews {
  /** Heads that already have a review by the bot. */
  readonly reviewedHeads: ReadonlySet<string>;
  /** The head of the bot's newest review, for an incremental review after it. */
  readonly lastReviewedHead: string | null;
  /** Fingerprints of every finding the bot posted, inline or in a summary. */
  readonly posted: ReadonlySet<string>;
  /** Topics of the bot's inline findings whose thread a person answered or someone resolved. */
  readonly discussed: ReadonlySet<string>;
}

/**
 * Reads the bot's earlier reviews back from the pull request: the markers in its review bodies and
 * inline comments, the replies people wrote under them, and the threads marked resolved. Only what
 * a bot account wrote counts as a review's, so a person cannot silence a finding by pasting a marker.
 */
export function readPriorReviews(params: {
  readonly reviews: readonly Review[];
  readonly comments: readonly ReviewComment[];
  /** Ids of the first comments of resolved threads. */
  readonly resolvedThreads: ReadonlySet<number>;
}): PriorReviews {
  // Any app's markers count: only coder-bot writes them, and two installations of it on one
  // repository should not repeat each other either.
  const isOurs = (author: { isBot: boolean } | null) => author !== null && author.isBot;
  const reviewedHeads = new Set<string>();
  let lastReviewedHead: string | null = null;
  const posted = new Set<string>();
  for (const review of params.reviews) {
    if (!isOurs(review.author) || !isBotReview(review.body) || review.commitId === null) continue;
    reviewedHeads.add(review.commitId);
    // Reviews come oldest first; the last one is the newest head.
    lastReviewedHead = review.commitId;
    for (const marker of readFindingMarkers(review.body)) posted.add(marker.fingerprint);
  }
  const answered = new Set<number>();
  for (const comment of params.comments) {
    if (comment.inReplyToId !== null && comment.author !== null && !comment.author.isBot) answered.add(comment.inReplyToId);
  }
  const discussed = new Set<string>();
  for (const comment of params.comments) {
    if (comment.inReplyToId !== null || !isOurs(comment.author)) continue;
    // The bot appends one marker after everything else, a suggestion block included: only the last one is its own.
    const markers = readFindingMarkers(comment.body).slice(-1);
    for (const marker of markers) posted.add(marker.fingerprint);
    if (answered.has(comment.id) || params.resolvedThreads.has(comment.id)) for (const marker of markers) discussed.add(marker.topic);
  }
  return { reviewedHeads, lastReviewedHead, posted, discussed };
}

function isBotReview(body: string): boolean {
  return body.startsWith(REVIEW_HEADING);
}
