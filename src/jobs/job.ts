/** How a job ended. A handler that throws instead asks the queue to retry it, if attempts are left. */
export type JobOutcome = "succeeded" | "failed" | "cancelled";

/** A job as the queue holds it. `payload` is whatever was stored until its contract has read it. */
export interface Job<P = unknown> {
  readonly id: number;
  readonly kind: string;
  /** `owner/repo` (or a local path): jobs with `exclusive` run one at a time per key. */
  readonly repoKey: string;
  /** What the job is about inside the repository, e.g. `issue#12`; `/coder cancel` targets it. */
  readonly subject: string;
  readonly payload: P;
  readonly exclusive: boolean;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly checkpoint: Readonly<Record<string, unknown>>;
  readonly cancelRequestedBy: string | null;
  readonly lastError: string | null;
}

export interface JobContext {
  /** Aborted when `/coder cancel` asks for it or the worker stops. */
  readonly signal: AbortSignal;
  /** Who asked to cancel, once someone has. */
  cancelledBy(): string | null;
  /** Persists progress so that a retry after a crash resumes instead of repeating work. */
  checkpoint(update: Record<string, unknown>): Promise<void>;
}

/** Runs the jobs of one kind, whose payload its contract has already read. */
export interface JobHandler<P> {
  run(job: Job<P>, context: JobContext): Promise<JobOutcome>;
  /** Called instead of `run` when a job has used up its attempts; must tell the user. */
  giveUp(job: Job<P>, reason: string): Promise<void>;
}
