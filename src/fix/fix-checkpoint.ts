import { z } from "zod";
import { stopReasonText, type StopReason } from "../agent/stop-conditions.js";

const testOutcomeSchema = z.object({
  command: z.string().nullable(),
  passed: z.boolean().nullable(),
  exitCode: z.number().nullable(),
  timedOut: z.boolean(),
  tail: z.string(),
});

const fileChangeSchema = z.object({ path: z.string(), added: z.number(), removed: z.number() });

const figuresSchema = z.object({
  steps: z.number(),
  maxSteps: z.number(),
  tokens: z.number(),
  durationMs: z.number(),
  stopReason: z.custom<StopReason>((value) => typeof value === "string" && Object.hasOwn(stopReasonText, value), "is not a stop reason"),
});

/** What a finished (committed) run left in the checkpoint, so a retry after a crash can publish without redoing the work. */
export const committedSchema = z.object({
  sha: z.string(),
  baseSha: z.string(),
  summary: z.string().nullable(),
  test: testOutcomeSchema,
  files: z.array(fileChangeSchema),
  figures: figuresSchema,
});

/**
 * How far a fix got, saved after each step that must not be repeated: the progress comment, the
 * commit, the push, the pull request. A resumed job reads it back through this schema.
 */
export const fixCheckpointSchema = z.object({
  progressCommentId: z.number().int().optional(),
  committed: committedSchema.optional(),
  pushed: z.object({ branch: z.string(), onHead: z.boolean(), notes: z.array(z.string()) }).optional(),
  pullRequest: z.object({ number: z.number().int(), url: z.string(), draft: z.boolean() }).optional(),
});

export type TestOutcome = z.infer<typeof testOutcomeSchema>;
export type FileChange = z.infer<typeof fileChangeSchema>;
export type RunFigures = z.infer<typeof figuresSchema>;
export type Committed = z.infer<typeof committedSchema>;
export type FixCheckpoint = z.infer<typeof fixCheckpointSchema>;

/** Where a fix keeps its checkpoint: the job's row in the queue, or memory on the command line. */
export interface CheckpointStore {
  readonly current: Readonly<FixCheckpoint>;
  save(update: Partial<FixCheckpoint>): Promise<void>;
}

/** A checkpoint kept in memory, for a run nothing resumes (the command line). */
export function memoryCheckpoint(): CheckpointStore {
  const current: FixCheckpoint = {};
  return {
    current,
    save: (update) => {
      Object.assign(current, update);
      return Promise.resolve();
    },
  };
}
