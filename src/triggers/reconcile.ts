import { decodePayload } from "../jobs/job-contracts.js";
import { indexSubject } from "../jobs/subjects.js";
import type { JobQueue } from "../queue/job-queue.js";
import { jobRequest } from "./job-request.js";

/**
 * Queues a re-index of every repository that has been indexed before, unless one is already
 * waiting. A webhook can be missed (the bot was down, a delivery failed); this catches up. The
 * index job itself skips every unchanged file, so a reconcile of an up-to-date index is cheap.
 */
export async function queueReconcile(
  queue: JobQueue,
  options: { readonly maxAttempts: number; readonly now?: () => number; readonly onSkipped?: (repoKey: string, reason: string) => void },
): Promise<number> {
  let queued = 0;
  const stamp = (options.now ?? Date.now)();
  for (const { repoKey, payload } of await queue.latestPayloads("index")) {
    if ((await queue.queuedFor(repoKey, indexSubject)) !== null) continue;
    const last = decodePayload("index", payload);
    if (!last.ok) {
      options.onSkipped?.(repoKey, last.reason);
      continue;
    }
    const request = jobRequest(
      "index",
      { repository: last.payload.repository, reason: "reconcile" },
      { repoKey, subject: indexSubject, keys: [`reconcile:${repoKey}:${stamp}`], exclusive: false, maxAttempts: options.maxAttempts },
    );
    const result = await queue.enqueue(request);
    if (!result.duplicate) queued++;
  }
  return queued;
}

/** Runs `queueReconcile` every `minutes`; returns the function that stops it. */
export function startReconcileTimer(
  queue: JobQueue,
  minutes: number,
  options: {
    readonly maxAttempts: number;
    readonly onQueued: (count: number) => void;
    readonly onError: (error: unknown) => void;
    readonly onSkipped?: (repoKey: string, reason: string) => void;
  },
): () => void {
  if (minutes <= 0) return () => undefined;
  const timer = setInterval(() => {
    queueReconcile(queue, options).then((count) => count > 0 && options.onQueued(count), options.onError);
  }, minutes * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
