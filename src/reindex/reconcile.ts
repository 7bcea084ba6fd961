import type { JobQueue } from "../queue/job.js";
import { indexJobKind, indexSubject, type IndexJobPayload } from "./index-payload.js";

/**
 * Queues a re-index of every repository that has been indexed before, unless one is already
 * waiting. A webhook can be missed (the bot was down, a delivery failed); this catches up. The
 * index job itself skips every unchanged file, so a reconcile of an up-to-date index is cheap.
 */
export async function queueReconcile(queue: JobQueue, options: { maxAttempts: number; now?: () => number }): Promise<number> {
  let queued = 0;
  const stamp = (options.now ?? Date.now)();
  for (const { repoKey, payload } of await queue.latestPayloads(indexJobKind)) {
    if ((await queue.queuedFor(repoKey, indexSubject)) !== null) continue;
    const last = payload as IndexJobPayload;
    const next: IndexJobPayload = { installationId: last.installationId, repo: last.repo, reason: "reconcile" };
    const result = await queue.enqueue({ kind: indexJobKind, repoKey, subject: indexSubject, payload: next, keys: [`reconcile:${repoKey}:${stamp}`], exclusive: false, maxAttempts: options.maxAttempts });
    if (!result.duplicate) queued++;
  }
  return queued;
}

/** Runs `queueReconcile` every `minutes`; returns the function that stops it. */
export function startReconcileTimer(queue: JobQueue, minutes: number, options: { maxAttempts: number; onQueued: (count: number) => void; onError: (error: unknown) => void }): () => void {
  if (minutes <= 0) return () => undefined;
  const timer = setInterval(() => {
    queueReconcile(queue, options).then((count) => count > 0 && options.onQueued(count), options.onError);
  }, minutes * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
