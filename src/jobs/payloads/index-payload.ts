import { z } from "zod";
import { repositorySchema } from "../../forge/repository.js";
import { commentRefSchema } from "./comment-ref.js";

/** Why a repository's default branch is (re-)indexed. */
export const indexReasonSchema = z.enum(["push", "command", "reconcile"]);

/** An index run of the default branch: after a merge, on `/coder index`, or on the periodic reconcile. */
export const indexPayloadSchema = z.object({
  repository: repositorySchema,
  reason: indexReasonSchema,
  /** The head the push brought, for the log; the job indexes whatever the branch holds when it runs. */
  after: z.string().optional(),
  /** For `/coder index`: where to answer. */
  comment: commentRefSchema.extend({ issueNumber: z.number().int().positive() }).optional(),
});

export type IndexReason = z.infer<typeof indexReasonSchema>;
export type IndexPayload = z.infer<typeof indexPayloadSchema>;
