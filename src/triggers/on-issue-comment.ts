import { fixJobKind, noticeJobKind, repoKeyOf, subjectOf, type FixJobPayload, type NoticeJobPayload } from "../fix/fix-payload.js";
import type { IssueCommentEvent } from "../forge/github/narrow.js";
import type { JobQueue } from "../queue/job.js";
import { indexJobKind, indexSubject, type IndexJobPayload } from "../reindex/index-payload.js";
import { reviewJobKind, reviewSubject, type ReviewJobPayload } from "../review/review-payload.js";
import { askSubject } from "../ask/ask-job.js";
import { askJobKind, type AskJobPayload } from "../ask/ask-payload.js";
import { parseCommand } from "./parse-command.js";

export type TriggerOutcome =
  | { readonly action: "ignored"; readonly why: string }
  | { readonly action: "queued" | "duplicate"; readonly jobId: number; readonly kind: string };

/**
 * Turns a new comment into a durable job. Makes no API call: the delivery is acknowledged as soon
 * as the job is stored, and the worker does the rest (authorization included).
 */
export async function onIssueComment(event: IssueCommentEvent, queue: JobQueue, options: { maxAttempts: number }): Promise<TriggerOutcome> {
  if (event.comment.authorIsBot || event.comment.viaApp) return { action: "ignored", why: "comment by a bot" };
  const parsed = parseCommand(event.comment.body);
  if (parsed.kind === "none") return { action: "ignored", why: "not a command" };
  const repoKey = repoKeyOf(event.repo);
  const keys = [`delivery:${event.deliveryId}`, `comment:${repoKey}:${event.comment.id}`];
  const base = { installationId: event.installationId, comment: { id: event.comment.id, author: event.comment.author } };
  if (parsed.kind === "command" && parsed.command.name === "fix") {
    if (!event.repo.cloneUrl) return { action: "ignored", why: "payload has no clone_url" };
    const payload: FixJobPayload = {
      ...base,
      deliveryId: event.deliveryId,
      repo: event.repo,
      issue: event.issue,
      command: { instructions: parsed.command.instructions, dryRun: parsed.command.dryRun },
    };
    const result = await queue.enqueue({ kind: fixJobKind, repoKey, subject: subjectOf(event.issue.number), payload, keys, maxAttempts: options.maxAttempts });
    return { action: result.duplicate ? "duplicate" : "queued", jobId: result.id, kind: fixJobKind };
  }
  if (parsed.kind === "command" && (parsed.command.name === "ask" || parsed.command.name === "explain")) {
    if (!event.repo.cloneUrl) return { action: "ignored", why: "payload has no clone_url" };
    const payload: AskJobPayload = {
      installationId: event.installationId,
      repo: event.repo,
      issue: { number: event.issue.number, isPullRequest: event.issue.isPullRequest },
      comment: { id: event.comment.id, author: event.comment.author },
      kind: parsed.command.name,
      text: parsed.command.instructions,
    };
    const result = await queue.enqueue({ kind: askJobKind, repoKey, subject: askSubject(event.issue.number), payload, keys, exclusive: false, maxAttempts: options.maxAttempts });
    return { action: result.duplicate ? "duplicate" : "queued", jobId: result.id, kind: askJobKind };
  }
  if (parsed.kind === "command" && parsed.command.name === "review") {
    if (!event.repo.cloneUrl) return { action: "ignored", why: "payload has no clone_url" };
    const payload: ReviewJobPayload = { installationId: event.installationId, repo: event.repo, number: event.issue.number, reason: "command", comment: { id: event.comment.id, author: event.comment.author } };
    const result = await queue.enqueue({ kind: reviewJobKind, repoKey, subject: reviewSubject(event.issue.number), payload, keys, exclusive: false, maxAttempts: options.maxAttempts });
    return { action: result.duplicate ? "duplicate" : "queued", jobId: result.id, kind: reviewJobKind };
  }
  if (parsed.kind === "command" && parsed.command.name === "index") {
    if (!event.repo.cloneUrl) return { action: "ignored", why: "payload has no clone_url" };
    const payload: IndexJobPayload = {
      installationId: event.installationId,
      repo: event.repo,
      reason: "command",
      comment: { id: event.comment.id, author: event.comment.author, issueNumber: event.issue.number },
    };
    const result = await queue.enqueue({ kind: indexJobKind, repoKey, subject: indexSubject, payload, keys, exclusive: false, maxAttempts: options.maxAttempts });
    return { action: result.duplicate ? "duplicate" : "queued", jobId: result.id, kind: indexJobKind };
  }
  const command: NoticeJobPayload["command"] = parsed.kind === "unknown" ? { unknown: parsed.word } : parsed.command.name === "cancel" ? "cancel" : "help";
  const payload: NoticeJobPayload = { ...base, repo: { owner: event.repo.owner, repo: event.repo.repo, defaultBranch: event.repo.defaultBranch }, issueNumber: event.issue.number, command };
  const result = await queue.enqueue({ kind: noticeJobKind, repoKey, subject: subjectOf(event.issue.number), payload, keys, exclusive: false, maxAttempts: options.maxAttempts });
  return { action: result.duplicate ? "duplicate" : "queued", jobId: result.id, kind: noticeJobKind };
}
