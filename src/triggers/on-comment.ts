import type { CommentEvent } from "../forge/events.js";
import type { JobQueue } from "../queue/job-queue.js";
import { commandTable, noticeJob } from "./command-table.js";
import { enqueueJob } from "./job-request.js";
import { parseCommand } from "./parse-command.js";
import type { TriggerOutcome } from "./trigger-outcome.js";

/**
 * Turns a new comment into a durable job. Makes no API call: the delivery is acknowledged as soon
 * as the job is stored, and the worker does the rest (authorization included).
 */
export async function onComment(event: CommentEvent, queue: JobQueue, options: { readonly maxAttempts: number }): Promise<TriggerOutcome> {
  if (event.actor.isBot) return { action: "ignored", why: "comment by a bot" };
  const parsed = parseCommand(event.comment.body);
  if (parsed.kind === "none") return { action: "ignored", why: "not a command" };
  if (parsed.kind === "unknown") return enqueueJob(queue, noticeJob(event, { type: "unknown", word: parsed.word }, options.maxAttempts));
  const { command } = parsed;
  const route = commandTable[command.name];
  if (route.requires.includes("clone-url") && !event.repository.cloneUrl) return { action: "ignored", why: "payload has no clone_url" };
  // That a command works on pull requests only is answered by the worker, after the gate.
  if (route.requires.includes("pull-request") && !event.issue.isPullRequest) {
    return enqueueJob(queue, noticeJob(event, { type: "needs-pull-request", command: command.name }, options.maxAttempts));
  }
  return enqueueJob(queue, route.request(event, command, options.maxAttempts));
}
