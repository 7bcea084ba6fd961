import type { FakeContext } from "./context.js";
import { HttpError, notFound } from "./errors.js";
import { resolveCommit } from "./git.js";
import { nodeId, timestamp } from "./ids.js";
import { requirePull, requireRepo, samePull } from "./lookups.js";
import { pullGit, type PullGit } from "./pull-git.js";
import type { PullRecord, RepoState, ReviewRecord } from "./records.js";
import { placeComment, type Placement, type ReviewCommentInput } from "./review-placement.js";
import { paginate, type Handlers, type Reply, type RouteContext } from "./routing.js";
import { sameLogin } from "./strings.js";
import { userObject } from "./users.js";

const REVIEW_DOCS = "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request";

export interface ReviewRequest {
  commit_id?: string;
  body?: string;
  event?: "APPROVE" | "REQUEST_CHANGES" | "COMMENT";
  comments?: ReviewCommentInput[];
}

/** GitHub's answer when it cannot create a review: one sentence per refusal, joined as Rails does. */
function reviewRefused(problems: string[]): HttpError {
  const sentence = problems.length <= 2 ? problems.join(" and ") : `${problems.slice(0, -1).join(", ")}, and ${problems.at(-1) ?? ""}`;
  return new HttpError(422, { message: "Unprocessable Entity", errors: [sentence], documentation_url: REVIEW_DOCS, status: "422" });
}

/** A commit of the pull request: reachable from its head and not already on its base. */
async function pullCommit(fake: FakeContext, where: PullGit, commitId: string): Promise<string | null> {
  const sha = commitId === where.headSha ? commitId : await resolveCommit(where.gitDir, commitId);
  if (sha === null) return null;
  return (await fake.git.isAncestor(where.gitDir, sha, where.headSha)) && !(await fake.git.isAncestor(where.gitDir, sha, where.baseSha))
    ? sha
    : null;
}

/** Creates a review as `user`, all or nothing: one refused comment refuses the whole review, as on GitHub. */
export async function recordReview(
  fake: FakeContext,
  repo: RepoState,
  pull: PullRecord,
  user: string,
  request: ReviewRequest,
): Promise<ReviewRecord> {
  const { state, counters } = fake;
  const where = await pullGit(fake, pull);
  const commitId = await pullCommit(fake, where, request.commit_id ?? where.headSha);
  if (commitId === null) throw reviewRefused(["The commitOID is not part of the pull request"]);
  const inputs = request.comments ?? [];
  const { event } = request;
  if (event === undefined && state.reviews.some((review) => samePull(review, pull) && review.user === user && review.state === "PENDING")) {
    throw reviewRefused(["User can only have one pending review per pull request"]);
  }
  if (sameLogin(pull.user, user) && event === "APPROVE") throw reviewRefused(["Can not approve your own pull request"]);
  if (sameLogin(pull.user, user) && event === "REQUEST_CHANGES") throw reviewRefused(["Can not request changes on your own pull request"]);
  if (event === "REQUEST_CHANGES" && !request.body && inputs.length === 0)
    throw reviewRefused(["You need to leave a comment indicating the requested changes."]);
  const mergeBase = (await fake.git.gitOnce(where.gitDir, ["merge-base", where.baseSha, commitId]))?.trim() ?? where.mergeBase;
  const files = await fake.git.diffOnce(where.gitDir, mergeBase, commitId);
  const placements = inputs.map((input) => placeComment(files, input));
  const problems = placements.filter((placement): placement is string => typeof placement === "string");
  if (problems.length > 0) throw reviewRefused(problems);
  const now = timestamp();
  const states = { APPROVE: "APPROVED", REQUEST_CHANGES: "CHANGES_REQUESTED", COMMENT: "COMMENTED" } as const;
  const review: ReviewRecord = {
    id: counters.review++,
    owner: repo.owner,
    repo: repo.name,
    pullNumber: pull.number,
    user,
    body: request.body ?? "",
    state: event === undefined ? "PENDING" : states[event],
    commitId,
    submittedAt: event === undefined ? null : now,
    createdAt: now,
  };
  state.reviews.push(review);
  placements.forEach((placement, index) => {
    const comment = { ...(placement as Placement), body: inputs[index]?.body ?? "" };
    state.reviewComments.push({
      ...comment,
      id: counters.reviewComment++,
      owner: repo.owner,
      repo: repo.name,
      pullNumber: pull.number,
      reviewId: review.id,
      user,
      commitId,
      originalCommitId: commitId,
      inReplyToId: null,
      createdAt: now,
      updatedAt: now,
    });
  });
  return review;
}

function reviewObject(fake: FakeContext, review: ReviewRecord): Record<string, unknown> {
  const pullUrl = `${fake.apiBase}/repos/${review.owner}/${review.repo}/pulls/${review.pullNumber}`;
  const htmlUrl = `${fake.url}/${review.owner}/${review.repo}/pull/${review.pullNumber}#pullrequestreview-${review.id}`;
  return {
    id: review.id,
    node_id: nodeId("PRR", review.id),
    user: userObject(fake, review.user),
    body: review.body,
    state: review.state,
    html_url: htmlUrl,
    pull_request_url: pullUrl,
    _links: { html: { href: htmlUrl }, pull_request: { href: pullUrl } },
    ...(review.submittedAt !== null ? { submitted_at: review.submittedAt } : {}),
    commit_id: review.commitId,
    author_association: review.user === fake.botLogin ? "NONE" : "CONTRIBUTOR",
  };
}

async function createReview(fake: FakeContext, context: RouteContext): Promise<Reply> {
  const repo = requireRepo(fake.state, context.params);
  const pull = requirePull(fake.state, repo, Number(context.params.pull_number));
  const review = await recordReview(fake, repo, pull, fake.botLogin, context.body ?? {});
  return { status: 200, json: reviewObject(fake, review) };
}

function listReviews(fake: FakeContext, context: RouteContext): Reply {
  const repo = requireRepo(fake.state, context.params);
  const pull = requirePull(fake.state, repo, Number(context.params.pull_number));
  const reviews = fake.state.reviews.filter((review) => samePull(review, pull)).sort((a, b) => a.id - b.id);
  const { page, headers } = paginate(fake, reviews, context);
  return { status: 200, json: page.map((review) => reviewObject(fake, review)), headers };
}

export function findReview(fake: FakeContext, context: RouteContext): ReviewRecord {
  const repo = requireRepo(fake.state, context.params);
  const pull = requirePull(fake.state, repo, Number(context.params.pull_number));
  const review = fake.state.reviews.find((candidate) => candidate.id === Number(context.params.review_id) && samePull(candidate, pull));
  if (review === undefined) throw notFound();
  return review;
}

export const reviewHandlers: Handlers = {
  "pulls/create-review": (fake, context) => createReview(fake, context),

  "pulls/list-reviews": (fake, context) => listReviews(fake, context),

  "pulls/get-review": (fake, context) => ({ status: 200, json: reviewObject(fake, findReview(fake, context)) }),
};
