import { z } from "zod";

/** The comment that gave a command: where to react, and whose permission to check. */
export const commentRefSchema = z.object({
  id: z.number().int().positive(),
  author: z.string().min(1),
});

export type CommentRef = z.infer<typeof commentRefSchema>;
