import { z } from "zod";
import { repositorySchema } from "../../forge/repository.js";
import { commentRefSchema } from "./comment-ref.js";

/** What a notice answers: small replies that never wait behind a long job. */
export const noticeSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("help") }),
  z.object({ type: z.literal("cancel") }),
  /** `/coder <word>` with a word that is no command. */
  z.object({ type: z.literal("unknown"), word: z.string() }),
  /** A command that works on pull requests, given on an issue. */
  z.object({ type: z.literal("needs-pull-request"), command: z.string().min(1) }),
]);

export const noticePayloadSchema = z.object({
  repository: repositorySchema,
  issueNumber: z.number().int().positive(),
  comment: commentRefSchema,
  notice: noticeSchema,
});

export type Notice = z.infer<typeof noticeSchema>;
export type NoticePayload = z.infer<typeof noticePayloadSchema>;
