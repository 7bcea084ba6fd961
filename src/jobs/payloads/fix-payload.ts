import { z } from "zod";
import { repositorySchema } from "../../forge/repository.js";
import { commentRefSchema } from "./comment-ref.js";

/** `/coder fix` on an issue or a pull request: everything the worker needs, narrowed when queued. */
export const fixPayloadSchema = z.object({
  deliveryId: z.string(),
  repository: repositorySchema,
  issue: z.object({
    number: z.number().int().positive(),
    title: z.string(),
    body: z.string(),
    isPullRequest: z.boolean(),
  }),
  comment: commentRefSchema,
  command: z.object({ instructions: z.string(), dryRun: z.boolean() }),
});

export type FixPayload = z.infer<typeof fixPayloadSchema>;
