import { repoKeyOf } from "../fix/fix-payload.js";
import type { PullRequestEvent } from "../forge/github/narrow.js";
import type { JobQueue } from "../queue/job.js";
import type { TriggerOutcome } from "../triggers/on-issue-comment.js";
import { reviewJobKind, reviewSubject, type ReviewJobPayload } from "./review-payload.js";

/**
 * A pull request opened, reopened, marked ready or pushed to queues a review of its head. The
 * repository's settings (automatic reviews, drafts, bot authors) are read by the job, from the
 * default branch; here only what needs no API call is decided. The job reviews one head once
 * however many deliveries name it.
 */
export async function onPullRequest(event: PullRequestEvent, queue: JobQueue, options: { maxAttempts: number }): Promise<TriggerOutcome> {
  if (!event.repo.cloneUrl) return { action: "ignored", why: "payload has no clone_url" };
  const repoKey = repoKeyOf(event.repo);
  const payload: ReviewJobPayload = { installationId: event.installationId, repo: event.repo, number: event.number, reason: event.action };
  // The job claims each head once; a key per head here would also swallow the `ready_for_review`
  // of a draft whose `opened` job skipped it.
  const keys = [`delivery:${event.deliveryId}`];
  const result = await queue.enqueue({ kind: reviewJobKind, repoKey, subject: reviewSubject(event.number), payload, keys, exclusive: false, maxAttempts: options.maxAttempts });
  return { action: result.duplicate ? "duplicate" : "queued", jobId: result.id, kind: reviewJobKind };
}
