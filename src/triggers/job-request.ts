import { encodePayload, type JobKind, type PayloadOf } from "../jobs/job-contracts.js";
import type { EnqueueResult, JobQueue, NewJob } from "../queue/job-queue.js";
import type { TriggerOutcome } from "./trigger-outcome.js";

export interface JobPlacement {
  readonly repoKey: string;
  readonly subject: string;
  /** Idempotency keys: the delivery, and the comment when a comment started the job. */
  readonly keys: readonly string[];
  /** False for jobs that must not wait behind a long one, nor hold the repository's turn. */
  readonly exclusive: boolean;
  readonly maxAttempts: number;
}

/** A job of `kind` with its payload written in the current format of the kind's contract. */
export function jobRequest<K extends JobKind>(kind: K, payload: PayloadOf<K>, placement: JobPlacement): NewJob {
  return { kind, payload: encodePayload(kind, payload), ...placement };
}

/** Stores the job durably and says what became of it. */
export async function enqueueJob(queue: JobQueue, job: NewJob): Promise<TriggerOutcome> {
  const result: EnqueueResult = await queue.enqueue(job);
  return { action: result.duplicate ? "duplicate" : "queued", jobId: result.id, kind: job.kind };
}
