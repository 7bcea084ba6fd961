import type { PushEvent } from "../forge/events.js";
import { repoKeyOf } from "../forge/repository.js";
import { indexSubject } from "../jobs/subjects.js";
import type { JobQueue } from "../queue/job-queue.js";
import { enqueueJob, jobRequest } from "./job-request.js";
import type { TriggerOutcome } from "./trigger-outcome.js";

/**
 * A push to the default branch (a merge, or a direct push) queues a re-index of that branch. Pushes
 * to other branches, deletions, and pushes while an index job is still waiting change nothing: the
 * waiting job will index the newest head when it runs.
 */
export async function onPush(event: PushEvent, queue: JobQueue, options: { readonly maxAttempts: number }): Promise<TriggerOutcome> {
  const { repository } = event;
  if (event.deleted) return { action: "ignored", why: "branch deleted" };
  if (event.ref !== `refs/heads/${repository.defaultBranch}`) return { action: "ignored", why: "not the default branch" };
  if (!repository.cloneUrl) return { action: "ignored", why: "payload has no clone_url" };
  const repoKey = repoKeyOf(repository);
  const waiting = await queue.queuedFor(repoKey, indexSubject);
  if (waiting !== null) return { action: "duplicate", jobId: waiting, kind: "index" };
  return enqueueJob(
    queue,
    jobRequest(
      "index",
      { repository, reason: "push", after: event.after },
      { repoKey, subject: indexSubject, keys: [`delivery:${event.deliveryId}`], exclusive: false, maxAttempts: options.maxAttempts },
    ),
  );
}
