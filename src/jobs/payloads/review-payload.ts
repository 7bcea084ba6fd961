import { z } from "zod";
import { repositorySchema } from "../../forge/repository.js";
import { commentRefSchema } from "./comment-ref.js";

/** Why a pull request is reviewed: one of the forge-neutral pull request actions, or `/coder review`. */
export const reviewReasonSchema = z.enum(["opened", "reopened", "ready", "updated", "command"]);

/** A review of a pull request's head; the job reads the pull request fresh when it runs. */
export const reviewPayloadSchema = z.object({
  repository: repositorySchema,
  number: z.number().int().positive(),
  reason: reviewReasonSchema,
  /** For `/coder review`: who asked, and where to answer. */
  comment: commentRefSchema.optional(),
});

export type ReviewReason = z.infer<typeof reviewReasonSchema>;
export type ReviewPayload = z.infer<typeof reviewPayloadSchema>;
