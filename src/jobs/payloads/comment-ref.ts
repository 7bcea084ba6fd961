import { z } from "zod";

/** The comment that gave a command: where to react, and whose permission to check. */
export const commentRefSchema = z.object({
  id: z.number().int().positive(),
  author: z.string().min(1),
  /**
   * Its text, as the delivery gave it, so a forge whose deliveries could be forged (Gitea) can
   * confirm the command is the one its author wrote; absent in jobs queued before it was carried.
   */
  body: z.string().optional(),
});

export type CommentRef = z.infer<typeof commentRefSchema>;
