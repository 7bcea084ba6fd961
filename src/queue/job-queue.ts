import type { Job } from "../jobs/job.js";

export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface NewJob {
  readonly kind: string;
  /** `owner/repo` (or a local path): jobs with `exclusive` run one at a time per key. */
  readonly repoKey: string;
  /** What the job is about inside the repository, e.g. `issue#12`; `/coder cancel` targets it. */
  readonly subject: string;
  /** Stored as JSON; written with its kind's contract (`encodePayload`), read back with it when claimed. */
  readonly payload: Record<string, unknown>;
  /** Idempotency keys (webhook delivery id, comment id): a job whose key exists is not added again. */
  readonly keys: readonly string[];
  /** False for small jobs (cancel) that must not wait behind a long one. */
  readonly exclusive?: boolean;
  readonly maxAttempts?: number;
}

export interface EnqueueResult {
  readonly id: number;
  readonly duplicate: boolean;
}

export interface CancelResult {
  /** Jobs that were running and are now asked to stop. */
  readonly running: readonly number[];
  /** Jobs that had not started and are now cancelled. */
  readonly queued: readonly number[];
}

/** Durable job storage. The embedded default is SQLite; a Redis-backed queue implements the same. */
export interface JobQueue {
  enqueue(job: NewJob): Promise<EnqueueResult>;
  /** A job of this repository and subject still waiting to start, if any (to fold a burst of triggers into one job). */
  queuedFor(repoKey: string, subject: string): Promise<number | null>;
  /** The payload of the newest job of this kind for each repository (what a periodic job repeats). */
  latestPayloads(kind: string): Promise<Array<{ repoKey: string; payload: unknown }>>;
  /** Takes the next runnable job, honouring one exclusive job per repository at a time. */
  claim(owner: string, options: { exclusive: boolean }): Promise<Job | null>;
  finish(id: number, status: Exclude<JobStatus, "queued" | "running">, error?: string): Promise<void>;
  retryLater(id: number, error: string, delayMs: number): Promise<void>;
  saveCheckpoint(id: number, checkpoint: Record<string, unknown>): Promise<void>;
  requestCancel(repoKey: string, subject: string, by: string): Promise<CancelResult>;
  cancelRequestedBy(id: number): Promise<string | null>;
  /** Puts jobs left `running` by a dead process back in line; returns how many. */
  recoverInterrupted(): Promise<number>;
  get(id: number): Promise<(Job & { status: JobStatus }) | null>;
  counts(): Promise<Record<JobStatus, number>>;
}
