import { decodePayload, isJobKind, type JobKind, type PayloadOf } from "./job-contracts.js";
import type { Job, JobContext, JobHandler, JobOutcome } from "./job.js";

/** A handler for every kind of job. */
export type JobHandlers = { readonly [K in JobKind]: JobHandler<PayloadOf<K>> };

/** A stored job whose payload its contract has read, ready to run or to be given up. */
export interface AcceptedJob {
  run(context: JobContext): Promise<JobOutcome>;
  giveUp(reason: string): Promise<void>;
}

export type Dispatch = (job: Job) => { readonly ok: true; readonly job: AcceptedJob } | { readonly ok: false; readonly reason: string };

function accept<K extends JobKind>(kind: K, handler: JobHandler<PayloadOf<K>>, job: Job): ReturnType<Dispatch> {
  const decoded = decodePayload(kind, job.payload);
  if (!decoded.ok) return decoded;
  const typed: Job<PayloadOf<K>> = { ...job, payload: decoded.payload };
  return { ok: true, job: { run: (context) => handler.run(typed, context), giveUp: (reason) => handler.giveUp(typed, reason) } };
}

/**
 * The dequeue boundary: each job's payload is read with its kind's contract before any handler
 * sees it. A job of an unknown kind, or whose payload does not parse, is refused with the reason.
 */
export function dispatcher(handlers: JobHandlers): Dispatch {
  return (job) => {
    if (!isJobKind(job.kind)) return { ok: false, reason: `no handler for job kind "${job.kind}"` };
    switch (job.kind) {
      case "fix":
        return accept("fix", handlers.fix, job);
      case "notice":
        return accept("notice", handlers.notice, job);
      case "ask":
        return accept("ask", handlers.ask, job);
      case "review":
        return accept("review", handlers.review, job);
      case "index":
        return accept("index", handlers.index, job);
    }
  };
}
