import { randomUUID } from "node:crypto";
import type { Dispatch } from "../jobs/dispatch.js";
import type { Job, JobContext } from "../jobs/job.js";
import type { Logger } from "../jobs/logger.js";
import { CancelledError } from "./cancelled-error.js";
import type { JobQueue } from "./job-queue.js";

export interface WorkerPoolOptions {
  readonly queue: JobQueue;
  /** Reads each claimed job's payload with its contract and hands it to its kind's handler. */
  readonly dispatch: Dispatch;
  /** How many exclusive (long) jobs may run at once across all repositories. */
  readonly concurrency: number;
  /** Small, non-exclusive jobs run beside them, up to this many. */
  readonly lightConcurrency?: number;
  readonly pollMs?: number;
  readonly log: Logger;
  readonly backoffMs?: (attempt: number) => number;
}

const defaultBackoff = (attempt: number): number => Math.min(5 * 60_000, 5_000 * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);

/** Claims jobs from the queue and runs them, with a global limit and cancellation. */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  readonly #running = new Map<number, { controller: AbortController; exclusive: boolean; done: Promise<void> }>();
  #timer: NodeJS.Timeout | undefined;
  #pumping = false;
  #again = false;
  #stopped = true;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    const recovered = await this.#options.queue.recoverInterrupted();
    if (recovered > 0) this.#options.log.warn({ recovered }, "jobs interrupted by a restart were put back in line");
    this.#timer = setInterval(() => this.wake(), this.#options.pollMs ?? 1000);
    this.#timer.unref();
    this.wake();
  }

  /** Looks for work now (called after an enqueue, so a job starts without waiting for the poll). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    void this.#pump()
      .catch((error: unknown) => this.#options.log.error({ err: error }, "worker pool could not claim jobs"))
      .finally(() => {
        this.#pumping = false;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
  }

  async #pump(): Promise<void> {
    await this.#pollCancellations();
    for (const exclusive of [false, true]) {
      const limit = exclusive ? this.#options.concurrency : (this.#options.lightConcurrency ?? 4);
      while (!this.#stopped && this.#count(exclusive) < limit) {
        const job = await this.#options.queue.claim(this.#owner, { exclusive });
        if (!job) break;
        this.#launch(job);
      }
    }
  }

  #count(exclusive: boolean): number {
    let n = 0;
    for (const entry of this.#running.values()) if (entry.exclusive === exclusive) n++;
    return n;
  }

  async #pollCancellations(): Promise<void> {
    for (const [id, entry] of this.#running) {
      if (entry.controller.signal.aborted) continue;
      const by = await this.#options.queue.cancelRequestedBy(id);
      if (by !== null) entry.controller.abort(new CancelledError(by));
    }
  }

  #launch(job: Job): void {
    const controller = new AbortController();
    const done = this.#execute(job, controller).finally(() => {
      this.#running.delete(job.id);
      this.wake();
    });
    this.#running.set(job.id, { controller, exclusive: job.exclusive, done });
  }

  async #execute(job: Job, controller: AbortController): Promise<void> {
    const { queue, log } = this.#options;
    const accepted = this.#options.dispatch(job);
    if (!accepted.ok) {
      // Nothing here knows where to answer: the reason stays with the job, and in the log.
      log.error({ job: job.id, kind: job.kind, reason: accepted.reason }, "job refused at the dequeue boundary");
      await queue.finish(job.id, "failed", accepted.reason);
      return;
    }
    const handler = accepted.job;
    if (job.attempts > job.maxAttempts) {
      const reason = job.lastError ?? "the bot was restarted while this job was running, more times than it may retry";
      await this.#guard(job, () => handler.giveUp(reason));
      await queue.finish(job.id, "failed", reason);
      return;
    }
    let checkpoint = { ...job.checkpoint };
    const context: JobContext = {
      signal: controller.signal,
      cancelledBy: () => {
        const reason: unknown = controller.signal.reason;
        return reason instanceof CancelledError ? reason.by : null;
      },
      checkpoint: async (update) => {
        checkpoint = { ...checkpoint, ...update };
        await queue.saveCheckpoint(job.id, checkpoint);
      },
    };
    try {
      log.info({ job: job.id, kind: job.kind, repo: job.repoKey, attempt: job.attempts }, "job started");
      const status = await handler.run(context);
      await queue.finish(job.id, status);
      log.info({ job: job.id, status }, "job finished");
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.#stopped) return; // left 'running'; the next start puts it back in line
      if (job.attempts < job.maxAttempts) {
        const delay = (this.#options.backoffMs ?? defaultBackoff)(job.attempts);
        log.warn({ job: job.id, err: error, delay }, "job failed; it will be retried");
        await queue.retryLater(job.id, message, delay);
      } else {
        log.error({ job: job.id, err: error }, "job failed for good");
        await this.#guard(job, () => handler.giveUp(message));
        await queue.finish(job.id, "failed", message);
      }
    }
  }

  async #guard(job: Job, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.#options.log.error({ job: job.id, err: error }, "could not report the failure");
    }
  }

  /** Number of jobs this pool is running now. */
  get active(): number {
    return this.#running.size;
  }

  /** Waits until nothing is running (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const entry of this.#running.values()) entry.controller.abort(new Error("the bot is shutting down"));
    await Promise.allSettled([...this.#running.values()].map((r) => r.done));
  }
}
