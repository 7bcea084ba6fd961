import { repoKeyOf } from "../fix/fix-payload.js";
import type { PushEvent } from "../forge/github/narrow.js";
import type { JobQueue } from "../queue/job.js";
import type { TriggerOutcome } from "../triggers/on-issue-comment.js";
import { indexJobKind, indexSubject, type IndexJobPayload } from "./index-payload.js";

/**
 * A push to the default branch (a merge, or a direct push) queues a re-index of that branch. Pushes
 * to other branches, deletions, and pushes while an index job is still waiting change nothing: the
 * waiting job will index the newest head when it runs.
 */
export async function onPush(event: PushEvent, queue: JobQueue, options: { maxAttempts: number }): Promise<TriggerOutcome> {
  if (event.deleted) return { action: "ignored", why: "branch deleted" };
  if (event.ref !== `refs/heads/${event.repo.defaultBranch}`) return { action: "ignored", why: "not the default branch" };
  if (!event.repo.cloneUrl) return { action: "ignored", why: "payload has no clone_url" };
  const repoKey = repoKeyOf(event.repo);
  const waiting = await queue.queuedFor(repoKey, indexSubject);
  if (waiting !== null) return { action: "duplicate", jobId: waiting, kind: indexJobKind };
  const payload: IndexJobPayload = { installationId: event.installationId, repo: event.repo, reason: "push", after: event.after };
  const result = await queue.enqueue({ kind: indexJobKind, repoKey, subject: indexSubject, payload, keys: [`delivery:${event.deliveryId}`], exclusive: false, maxAttempts: options.maxAttempts });
  return { action: result.duplicate ? "duplicate" : "queued", jobId: result.id, kind: indexJobKind };
}
