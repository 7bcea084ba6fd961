import { z } from "zod";
import type { Repository } from "../../forge/repository.js";
import type { AskPayload } from "./ask-payload.js";
import type { FixPayload } from "./fix-payload.js";
import type { IndexPayload } from "./index-payload.js";
import type { NoticePayload } from "./notice-payload.js";
import type { ReviewPayload } from "./review-payload.js";

/**
 * Payloads as coder-bot stored them before payloads carried a format number (format 1): GitHub
 * only, with the App installation beside the repository. A queue that holds such jobs across an
 * upgrade still runs them; each is read here and turned into today's shape.
 */
const repo = z.object({
  owner: z.string().min(1),
  repo: z.string().min(1),
  cloneUrl: z.string().default(""),
  defaultBranch: z.string().min(1),
});
const installationId = z.number().int().positive().nullable();
const comment = z.object({ id: z.number().int().positive(), author: z.string().min(1) });

function repository(installation: number | null, r: z.infer<typeof repo>): Repository {
  return { address: { forge: "github", installationId: installation }, ...r };
}

const fixV1 = z.object({
  deliveryId: z.string(),
  installationId,
  repo,
  issue: z.object({ number: z.number().int().positive(), title: z.string(), body: z.string(), isPullRequest: z.boolean() }),
  comment,
  command: z.object({ instructions: z.string(), dryRun: z.boolean() }),
});

const noticeV1 = z.object({
  installationId,
  repo,
  issueNumber: z.number().int().positive(),
  comment,
  command: z.union([z.literal("cancel"), z.literal("help"), z.object({ unknown: z.string() })]),
});

const askV1 = z.object({
  installationId,
  repo,
  issue: z.object({ number: z.number().int().positive(), isPullRequest: z.boolean() }),
  comment,
  kind: z.enum(["ask", "explain"]),
  text: z.string(),
});

const reviewV1 = z.object({
  installationId,
  repo,
  number: z.number().int().positive(),
  reason: z.enum(["opened", "reopened", "ready_for_review", "synchronize", "command"]),
  comment: comment.optional(),
});

const indexV1 = z.object({
  installationId,
  repo,
  reason: z.enum(["push", "command", "reconcile"]),
  after: z.string().optional(),
  comment: comment.extend({ issueNumber: z.number().int().positive() }).optional(),
});

const reviewReasons = {
  opened: "opened",
  reopened: "reopened",
  ready_for_review: "ready",
  synchronize: "updated",
  command: "command",
} as const;

/** Format 1 of each kind, read and upgraded to the current shape. */
export const legacyV1 = {
  fix: fixV1.transform(({ installationId, repo, ...rest }): FixPayload => ({ ...rest, repository: repository(installationId, repo) })),
  notice: noticeV1.transform(({ installationId, repo, command, ...rest }): NoticePayload => ({
    ...rest,
    repository: repository(installationId, repo),
    notice: command === "cancel" ? { type: "cancel" } : command === "help" ? { type: "help" } : { type: "unknown", word: command.unknown },
  })),
  ask: askV1.transform(({ installationId, repo, kind, ...rest }): AskPayload => ({
    ...rest,
    mode: kind,
    repository: repository(installationId, repo),
  })),
  review: reviewV1.transform(({ installationId, repo, reason, ...rest }): ReviewPayload => ({
    ...rest,
    reason: reviewReasons[reason],
    repository: repository(installationId, repo),
  })),
  index: indexV1.transform(({ installationId, repo, ...rest }): IndexPayload => ({
    ...rest,
    repository: repository(installationId, repo),
  })),
};
