import type { CommentEvent } from "../forge/events.js";
import { repoKeyOf } from "../forge/repository.js";
import type { JobKind, PayloadOf } from "../jobs/job-contracts.js";
import type { Notice } from "../jobs/payloads/notice-payload.js";
import { askSubject, indexSubject, issueSubject, reviewSubject } from "../jobs/subjects.js";
import type { NewJob } from "../queue/job-queue.js";
import { jobRequest } from "./job-request.js";
import type { CommandName, ParsedCommand } from "./parse-command.js";

/** What a command needs of where it was given; without it the command is not queued as asked. */
export type Requirement = "clone-url" | "pull-request";

/** How one command becomes a job. */
export interface CommandRoute {
  readonly kind: JobKind;
  readonly requires: readonly Requirement[];
  request(event: CommentEvent, command: ParsedCommand, maxAttempts: number): NewJob;
}

function route<K extends JobKind>(spec: {
  readonly kind: K;
  readonly subject: (issueNumber: number) => string;
  /** One exclusive job runs at a time per repository; the others run beside it. */
  readonly exclusive: boolean;
  readonly requires: readonly Requirement[];
  readonly payload: (event: CommentEvent, command: ParsedCommand) => PayloadOf<K>;
}): CommandRoute {
  return {
    kind: spec.kind,
    requires: spec.requires,
    request: (event, command, maxAttempts) =>
      jobRequest(spec.kind, spec.payload(event, command), {
        repoKey: repoKeyOf(event.repository),
        subject: spec.subject(event.issue.number),
        keys: commentKeys(event),
        exclusive: spec.exclusive,
        maxAttempts,
      }),
  };
}

/** The delivery and the comment: a redelivery under a new id carries the same comment. */
export function commentKeys(event: CommentEvent): string[] {
  return [`delivery:${event.deliveryId}`, `comment:${repoKeyOf(event.repository)}:${event.comment.id}`];
}

const author = (event: CommentEvent) => ({ id: event.comment.id, author: event.actor.login, body: event.comment.body });

/** A small answer on the issue: never waits behind a fix, never holds the repository's turn. */
export function noticeJob(event: CommentEvent, notice: Notice, maxAttempts: number): NewJob {
  return jobRequest(
    "notice",
    { repository: event.repository, issueNumber: event.issue.number, comment: author(event), notice },
    {
      repoKey: repoKeyOf(event.repository),
      subject: issueSubject(event.issue.number),
      keys: commentKeys(event),
      exclusive: false,
      maxAttempts,
    },
  );
}

const noticeRoute = (notice: Notice): CommandRoute => ({
  kind: "notice",
  requires: [],
  request: (event, _command, maxAttempts) => noticeJob(event, notice, maxAttempts),
});

const askRoute = (mode: "ask" | "explain") =>
  route({
    kind: "ask",
    subject: askSubject,
    exclusive: false,
    requires: ["clone-url"],
    payload: (event, command) => ({
      repository: event.repository,
      issue: { number: event.issue.number, isPullRequest: event.issue.isPullRequest },
      comment: author(event),
      mode,
      text: command.instructions,
    }),
  });

/** Every `/coder` command, and the job it starts. */
export const commandTable: Readonly<Record<CommandName, CommandRoute>> = {
  fix: route({
    kind: "fix",
    subject: issueSubject,
    exclusive: true,
    requires: ["clone-url"],
    payload: (event, command) => ({
      deliveryId: event.deliveryId,
      repository: event.repository,
      issue: event.issue,
      comment: author(event),
      command: { instructions: command.instructions, dryRun: command.dryRun },
    }),
  }),
  ask: askRoute("ask"),
  explain: askRoute("explain"),
  review: route({
    kind: "review",
    subject: reviewSubject,
    exclusive: false,
    requires: ["clone-url", "pull-request"],
    payload: (event) => ({ repository: event.repository, number: event.issue.number, reason: "command", comment: author(event) }),
  }),
  index: route({
    kind: "index",
    subject: () => indexSubject,
    exclusive: false,
    requires: ["clone-url"],
    payload: (event) => ({
      repository: event.repository,
      reason: "command",
      comment: { ...author(event), issueNumber: event.issue.number },
    }),
  }),
  cancel: noticeRoute({ type: "cancel" }),
  help: noticeRoute({ type: "help" }),
};
