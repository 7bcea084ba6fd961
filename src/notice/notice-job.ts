import type { Forges } from "../forge/forges.js";
import { repoKeyOf } from "../forge/repository.js";
import { passGate } from "../jobs/gate.js";
import type { Job, JobContext, JobHandler } from "../jobs/job.js";
import type { Logger } from "../jobs/logger.js";
import type { Notice, NoticePayload } from "../jobs/payloads/notice-payload.js";
import { issueSubject } from "../jobs/subjects.js";
import { helpText } from "./help-text.js";

/** What `/coder cancel` asks of the queue: stop the running jobs of a subject, drop the waiting ones. */
export interface Cancellation {
  requestCancel(
    repoKey: string,
    subject: string,
    by: string,
  ): Promise<{ readonly running: readonly number[]; readonly queued: readonly number[] }>;
}

/** Answers `/coder cancel`, `/coder help`, unknown commands and commands given in the wrong place; runs beside long jobs, never behind them. */
export class NoticeJobHandler implements JobHandler<NoticePayload> {
  readonly #forges: Forges;
  readonly #cancellation: Cancellation;
  readonly #log: Logger;

  constructor(forges: Forges, cancellation: Cancellation, log: Logger) {
    this.#forges = forges;
    this.#cancellation = cancellation;
    this.#log = log;
  }

  async run(job: Job<NoticePayload>, context: JobContext): Promise<"succeeded"> {
    const { repository, comment, issueNumber, notice } = job.payload;
    const forge = await this.#forges.open(repository.address);
    // A broken coder.yml must not lock maintainers out of cancelling: the defaults apply.
    const gate = await passGate(
      forge,
      { repository, comment: { ...comment, issueNumber }, brokenConfig: "use-defaults", log: this.#log },
      job,
      context,
    );
    if (!gate.pass) return "succeeded";
    await forge.createComment(repository, issueNumber, await this.#answer(notice, job.payload));
    return "succeeded";
  }

  async #answer(notice: Notice, payload: NoticePayload): Promise<string> {
    switch (notice.type) {
      case "help":
        return helpText;
      case "unknown":
        return `I don't know the command \`/coder ${notice.word}\`.\n\n${helpText}`;
      case "needs-pull-request":
        return `\`/coder ${notice.command}\` works on pull requests; this is an issue.`;
      case "cancel": {
        const result = await this.#cancellation.requestCancel(
          repoKeyOf(payload.repository),
          issueSubject(payload.issueNumber),
          payload.comment.author,
        );
        const parts: string[] = [];
        if (result.running.length) parts.push("I am stopping the running job; its progress comment will say when it has stopped.");
        if (result.queued.length) parts.push(`I cancelled ${result.queued.length} job(s) that had not started yet.`);
        return parts.length ? `🛑 ${parts.join(" ")}` : "There is no `/coder` job running or waiting on this issue.";
      }
    }
  }

  async giveUp(job: Job<NoticePayload>, reason: string): Promise<void> {
    const { repository, issueNumber } = job.payload;
    const forge = await this.#forges.open(repository.address);
    await forge.createComment(repository, issueNumber, `I could not answer \`/coder\` here: ${reason}`);
  }
}
