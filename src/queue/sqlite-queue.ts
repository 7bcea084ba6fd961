import type BetterSqlite3 from "better-sqlite3";
import type { Database } from "../store/database.js";
import { settled } from "../store/settled.js";
import type { Job } from "../jobs/job.js";
import type { CancelResult, EnqueueResult, JobQueue, JobStatus, NewJob } from "./job-queue.js";

interface JobRow {
  id: number;
  kind: string;
  repo_key: string;
  subject: string;
  payload: string;
  status: JobStatus;
  exclusive: number;
  attempts: number;
  max_attempts: number;
  checkpoint: string;
  cancel_requested_by: string | null;
  last_error: string | null;
}

function toJob(row: JobRow): Job & { status: JobStatus } {
  return {
    id: row.id,
    kind: row.kind,
    repoKey: row.repo_key,
    subject: row.subject,
    payload: JSON.parse(row.payload) as unknown,
    status: row.status,
    exclusive: row.exclusive === 1,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    checkpoint: JSON.parse(row.checkpoint) as Record<string, unknown>,
    cancelRequestedBy: row.cancel_requested_by,
    lastError: row.last_error,
  };
}

/** The embedded durable queue: one SQLite file, survives restarts, idempotent by key. */
export class SqliteQueue implements JobQueue {
  readonly #db: Database;
  readonly #now: () => number;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  /** A statement prepared once per queue. */
  #sql<P extends unknown[] = unknown[], R = unknown>(source: string): BetterSqlite3.Statement<P, R> {
    let statement = this.#statements.get(source);
    if (!statement) {
      statement = this.#db.prepare(source);
      this.#statements.set(source, statement);
    }
    return statement as unknown as BetterSqlite3.Statement<P, R>;
  }

  constructor(db: Database, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  enqueue(job: NewJob): Promise<EnqueueResult> {
    return settled(() => {
      return this.#db
        .transaction((): EnqueueResult => {
          const existing = this.#findByKeys(job.keys);
          if (existing !== undefined) return { id: existing, duplicate: true };
          const { lastInsertRowid } = this.#sql(
            `INSERT INTO jobs (kind, repo_key, subject, payload, exclusive, max_attempts, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            job.kind,
            job.repoKey,
            job.subject,
            JSON.stringify(job.payload),
            job.exclusive === false ? 0 : 1,
            job.maxAttempts ?? 2,
            this.#now(),
          );
          const id = Number(lastInsertRowid);
          const addKey = this.#sql("INSERT INTO job_keys (key, job_id) VALUES (?, ?)");
          for (const key of new Set(job.keys)) addKey.run(key, id);
          return { id, duplicate: false };
        })
        .immediate();
    });
  }

  queuedFor(repoKey: string, subject: string): Promise<number | null> {
    return settled(() => {
      const row = this.#sql<[string, string], { id: number }>(
        "SELECT id FROM jobs WHERE repo_key = ? AND subject = ? AND status = 'queued' ORDER BY id LIMIT 1",
      ).get(repoKey, subject);
      return row?.id ?? null;
    });
  }

  latestPayloads(kind: string): Promise<Array<{ repoKey: string; payload: unknown }>> {
    return settled(() => {
      return this.#sql<[string, string], { repo_key: string; payload: string }>(
        "SELECT repo_key, payload FROM jobs WHERE kind = ? AND id IN (SELECT MAX(id) FROM jobs WHERE kind = ? GROUP BY repo_key) ORDER BY repo_key",
      )
        .all(kind, kind)
        .map((r) => ({ repoKey: r.repo_key, payload: JSON.parse(r.payload) as unknown }));
    });
  }

  #findByKeys(keys: readonly string[]): number | undefined {
    const find = this.#sql<[string], { job_id: number }>("SELECT job_id FROM job_keys WHERE key = ?");
    for (const key of keys) {
      const row = find.get(key);
      if (row) return row.job_id;
    }
    return undefined;
  }

  claim(owner: string, options: { exclusive: boolean }): Promise<Job | null> {
    return settled(() => {
      return this.#db
        .transaction((): Job | null => {
          const row = this.#sql<[number, number], JobRow>(
            `SELECT * FROM jobs
             WHERE status = 'queued' AND run_after <= ? AND exclusive = ? AND cancel_requested_by IS NULL
               AND (exclusive = 0 OR repo_key NOT IN
                    (SELECT repo_key FROM jobs WHERE status = 'running' AND exclusive = 1))
             ORDER BY id LIMIT 1`,
          ).get(this.#now(), options.exclusive ? 1 : 0);
          if (!row) return null;
          this.#sql("UPDATE jobs SET status = 'running', attempts = attempts + 1, owner = ?, started_at = ? WHERE id = ?").run(
            owner,
            this.#now(),
            row.id,
          );
          return toJob({ ...row, status: "running", attempts: row.attempts + 1 });
        })
        .immediate();
    });
  }

  finish(id: number, status: "succeeded" | "failed" | "cancelled", error?: string): Promise<void> {
    return settled(() => {
      this.#sql("UPDATE jobs SET status = ?, last_error = coalesce(?, last_error), owner = NULL, finished_at = ? WHERE id = ?").run(
        status,
        error ?? null,
        this.#now(),
        id,
      );
    });
  }

  retryLater(id: number, error: string, delayMs: number): Promise<void> {
    return settled(() => {
      this.#sql("UPDATE jobs SET status = 'queued', owner = NULL, last_error = ?, run_after = ? WHERE id = ?").run(
        error,
        this.#now() + delayMs,
        id,
      );
    });
  }

  saveCheckpoint(id: number, checkpoint: Record<string, unknown>): Promise<void> {
    return settled(() => {
      this.#sql("UPDATE jobs SET checkpoint = ? WHERE id = ?").run(JSON.stringify(checkpoint), id);
    });
  }

  requestCancel(repoKey: string, subject: string, by: string): Promise<CancelResult> {
    return settled(() => {
      return this.#db
        .transaction((): CancelResult => {
          const rows = this.#sql<[string, string], { id: number; status: JobStatus }>(
            "SELECT id, status FROM jobs WHERE repo_key = ? AND subject = ? AND exclusive = 1 AND status IN ('queued', 'running')",
          ).all(repoKey, subject);
          const running = rows.filter((r) => r.status === "running").map((r) => r.id);
          const queued = rows.filter((r) => r.status === "queued").map((r) => r.id);
          const flag = this.#sql("UPDATE jobs SET cancel_requested_by = ? WHERE id = ?");
          for (const id of running) flag.run(by, id);
          const cancel = this.#sql("UPDATE jobs SET status = 'cancelled', cancel_requested_by = ?, finished_at = ? WHERE id = ?");
          for (const id of queued) cancel.run(by, this.#now(), id);
          return { running, queued };
        })
        .immediate();
    });
  }

  cancelRequestedBy(id: number): Promise<string | null> {
    return settled(() => {
      const row = this.#sql<[number], { cancel_requested_by: string | null }>("SELECT cancel_requested_by FROM jobs WHERE id = ?").get(id);
      return row?.cancel_requested_by ?? null;
    });
  }

  recoverInterrupted(): Promise<number> {
    return settled(() => {
      // A job someone asked to cancel before the crash stays cancelled.
      this.#sql(
        "UPDATE jobs SET status = 'cancelled', owner = NULL, finished_at = ? WHERE status = 'running' AND cancel_requested_by IS NOT NULL",
      ).run(this.#now());
      return this.#sql("UPDATE jobs SET status = 'queued', owner = NULL WHERE status = 'running'").run().changes;
    });
  }

  get(id: number): Promise<(Job & { status: JobStatus }) | null> {
    return settled(() => {
      const row = this.#sql<[number], JobRow>("SELECT * FROM jobs WHERE id = ?").get(id);
      return row ? toJob(row) : null;
    });
  }

  counts(): Promise<Record<JobStatus, number>> {
    return settled(() => {
      const counts: Record<JobStatus, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
      const rows = this.#sql<[], { status: JobStatus; n: number }>("SELECT status, count(*) n FROM jobs GROUP BY status").all();
      for (const row of rows) counts[row.status] = row.n;
      return counts;
    });
  }
}
