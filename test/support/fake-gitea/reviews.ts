import { sameLogin } from "../fake-github/strings.js";
import { accessMode, canWrite } from "./access.js";
import type { FakeContext } from "./context.js";
import { GiteaError, notFound, unprocessable } from "./errors.js";
import { timestamp } from "./ids.js";
import { issueHtmlUrl } from "./issues.js";
import { isOfPull, mustFindRepo, requirePull, requireRepo } from "./lookups.js";
import { mergeBaseOf, pullCommit, pullGit } from "./pull-git.js";
import type { PullRecord, RepoState, ReviewRecord, ReviewState } from "./records.js";
import { placeComment, type Placement, type ReviewCommentInput } from "./review-positions.js";
import { paginate, type Handlers, type Reply, type RouteContext } from "./routing.js";
import { findUser, userObject } from "./users.js";

/** CreatePullReviewOptions. */
export interface ReviewRequest {
  body?: string;
  event?: string;
  commit_id?: string;
  comments?: ReviewCommentInput[];
}

/** The ReviewStateType values Gitea acts on; the description declares the type as a bare string. */
export const REVIEW_EVENTS = ["APPROVED", "REQUEST_CHANGES", "COMMENT", "PENDING"];

/**
 * The review state an event asks for, refused as `preparePullReviewType` refuses it. Anything
 * but the three submitting events (GitHub's `APPROVE` included) leaves the review pending, and a
 * pending review, like a change request, needs a body.
 */
function reviewState(pull: PullRecord, user: string, request: ReviewRequest): ReviewState {
  const hasBody = (request.body ?? "").trim() !== "";
  const event = request.event ?? "";
  const own = sameLogin(pull.user, user);
  if (event === "APPROVED" && own) throw unprocessable("approve your own pull is not allowed");
  if (event === "REQUEST_CHANGES" && own) throw unprocessable("reject your own pull is not allowed");
  if (event === "APPROVED") return "APPROVED";
  if (event === "COMMENT") {
    if (!hasBody && (request.comments ?? []).length === 0) throw unprocessable("review event COMMENT requires a body or a comment");
    return "COMMENT";
  }
  if (!hasBody) throw unprocessable(`review event ${event} requires a body`);
  return event === "REQUEST_CHANGES" ? "REQUEST_CHANGES" : "PENDING";
}

/**
 * Creates (or, for a reviewer with a pending review, completes) a review as `user`, all or
 * nothing. The commit must be one of the pull request's, and every comment must land on its
 * diff; Gitea checks neither, the fake refuses both with 422 so a bot's mistake shows.
 */
export async function createReview(
  fake: FakeContext,
  repo: RepoState,
  pull: PullRecord,
  user: string,
  request: ReviewRequest,
): Promise<ReviewRecord> {
  const state = reviewState(pull, user, request);
  if (state !== "PENDING" && pull.state === "closed") throw unprocessable("can't submit review for a closed or merged PR");
  const where = await pullGit(fake, pull);
  const commitId = request.commit_id ? await pullCommit(fake, where, request.commit_id) : where.headSha;
  if (commitId === null) throw unprocessable(`commit_id ${request.commit_id ?? ""} is not a commit of this pull request`);
  const files = await fake.git.diffOnce(where.gitDir, await mergeBaseOf(fake, where.gitDir, where.baseSha, commitId), commitId);
  const inputs = request.comments ?? [];
  const placements = inputs.map((input) => placeComment(files, input));
  const problems = placements.filter((placement): placement is string => typeof placement === "string");
  if (problems.length > 0) throw unprocessable(problems.join("; "));
  const now = timestamp();
  const comments = (placements as Placement[]).map((placement, index) => ({
    ...placement,
    id: fake.counters.comment++,
    owner: repo.owner,
    repo: repo.name,
    pullNumber: pull.number,
    user,
    body: inputs[index]?.body ?? "",
    commitId,
    resolver: null,
    createdAt: now,
    updatedAt: now,
  }));
  const pending = fake.state.reviews.find((review) => isOfPull(review, pull) && sameLogin(review.user, user) && review.state === "PENDING");
  const fields = { body: request.body ?? "", state, commitId, submittedAt: now, updatedAt: now };
  const review: ReviewRecord = pending ?? {
    ...fields,
    id: fake.counters.review++,
    owner: repo.owner,
    repo: repo.name,
    pullNumber: pull.number,
    user,
    timelineCommentId: fake.counters.comment++,
  };
  if (pending === undefined) fake.state.reviews.push(review);
  else Object.assign(pending, fields);
  fake.state.reviewComments.push(...comments.map((comment) => ({ ...comment, reviewId: review.id })));
  return review;
}

/** A PullReview as `convert.ToPullReview` renders it. */
export function reviewObject(fake: FakeContext, review: ReviewRecord): Record<string, unknown> {
  const repo = mustFindRepo(fake.state, review.owner, review.repo);
  const pullUrl = issueHtmlUrl(fake, repo, review.pullNumber);
  const official = (review.state === "APPROVED" || review.state === "REQUEST_CHANGES") && canWrite(accessMode(fake, repo, review.user));
  return {
    id: review.id,
    user: userObject(fake, review.user),
    team: null,
    state: review.state,
    body: review.body,
    commit_id: review.commitId,
    stale: false,
    official,
    dismissed: false,
    comments_count: fake.state.reviewComments.filter((comment) => comment.reviewId === review.id).length,
    submitted_at: review.submittedAt,
    updated_at: review.updatedAt,
    html_url: `${pullUrl}#issuecomment-${review.timelineCommentId}`,
    pull_request_url: pullUrl,
  };
}

/** Someone else's pending review is invisible, except to a site administrator. */
export function canSeeReview(fake: FakeContext, review: ReviewRecord, doer: string): boolean {
  return review.state !== "PENDING" || sameLogin(review.user, doer) || findUser(fake.state, doer)?.isAdmin === true;
}

async function postReview(fake: FakeContext, context: RouteContext): Promise<Reply> {
  const repo = requireRepo(fake, context.params);
  const pull = requirePull(fake, repo, Number(context.params.index));
  const request = (context.body ?? {}) as ReviewRequest;
  const complain = (problem: string) => fake.violations.push(`${context.method} ${context.path}: ${problem}`);
  if (request.event !== undefined && !REVIEW_EVENTS.includes(request.event)) {
    complain(`event ${request.event} is none of ${REVIEW_EVENTS.join(", ")}; Gitea keeps such a review pending`);
  }
  try {
    return { status: 200, json: reviewObject(fake, await createReview(fake, repo, pull, context.doer, request)) };
  } catch (error) {
    if (error instanceof GiteaError && error.status === 422) complain(`review refused: ${error.message}`);
    throw error;
  }
}

export const reviewHandlers: Handlers = {
  repoCreatePullReview: (fake, context) => postReview(fake, context),

  repoListPullReviews: (fake, context) => {
    const repo = requireRepo(fake, context.params);
    const pull = requirePull(fake, repo, Number(context.params.index));
    const reviews = fake.state.reviews.filter((review) => isOfPull(review, pull) && canSeeReview(fake, review, context.doer));
    const { page, headers } = paginate(fake, reviews, context);
    return { status: 200, json: page.map((review) => reviewObject(fake, review)), headers };
  },

  /** Only a pending review can be deleted, by its author (Gitea answers 403 for a submitted one). */
  repoDeletePullReview: (fake, context) => {
    const repo = requireRepo(fake, context.params);
    const pull = requirePull(fake, repo, Number(context.params.index));
    const review = fake.state.reviews.find(
      (r) => r.id === Number(context.params.id) && isOfPull(r, pull) && canSeeReview(fake, r, context.doer),
    );
    if (review === undefined) throw notFound();
    if (review.state !== "PENDING" || !sameLogin(review.user, context.doer))
      return { status: 403, json: { message: "reviewer or pull request is locked" } };
    fake.state.reviews.splice(fake.state.reviews.indexOf(review), 1);
    fake.state.reviewComments.splice(
      0,
      fake.state.reviewComments.length,
      ...fake.state.reviewComments.filter((c) => c.reviewId !== review.id),
    );
    return { status: 204 };
  },
};
