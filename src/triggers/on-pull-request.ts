import type { PullRequestEvent } from "../forge/events.js";
import { repoKeyOf } from "../forge/repository.js";
import { reviewSubject } from "../jobs/subjects.js";
import type { JobQueue } from "../queue/job-queue.js";
import { enqueueJob, jobRequest } from "./job-request.js";
import type { TriggerOutcome } from "./trigger-outcome.js";

/**
 * A pull request opened, reopened, marked ready or pushed to queues a review of its head. The
 * repository's settings (automatic reviews, drafts, bot authors) are read by the job, from the
 * default branch; here only what needs no API call is decided. The job reviews one head once
 * however many deliveries name it.
 */
export async function onPullRequest(
  event: PullRequestEvent,
  queue: JobQueue,
  options: { readonly maxAttempts: number },
): Promise<TriggerOutcome> {
  const { repository } = event;
  if (!repository.cloneUrl) return { action: "ignored", why: "payload has no clone_url" };
  // The job claims each head once; a key per head here would also swallow the `ready` of a
  // draft whose `opened` job skipped it.
  return enqueueJob(
    queue,
    jobRequest(
      "review",
      { repository, number: event.number, reason: event.action },
      {
        repoKey: repoKeyOf(repository),
        subject: reviewSubject(event.number),
        keys: [`delivery:${event.deliveryId}`],
        exclusive: false,
        maxAttempts: options.maxAttempts,
      },
    ),
  );
}
