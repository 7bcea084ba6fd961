import { z } from "zod";
import { repositorySchema } from "../../forge/repository.js";
import { commentRefSchema } from "./comment-ref.js";

/** `/coder ask` and `/coder explain`, answered on the issue or pull request they were asked on. */
export const askPayloadSchema = z.object({
  repository: repositorySchema,
  issue: z.object({ number: z.number().int().positive(), isPullRequest: z.boolean() }),
  comment: commentRefSchema,
  mode: z.enum(["ask", "explain"]),
  /** The question, or what follows `/coder explain`. */
  text: z.string(),
});

export type AskPayload = z.infer<typeof askPayloadSchema>;
