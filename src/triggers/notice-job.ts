import { defaultRepoConfig, parseRepoConfig, REPO_CONFIG_PATH } from "../config/repo-config.js";
import type { Forge } from "../forge/forge.js";
import { repoKeyOf, subjectOf, type NoticeJobPayload } from "../fix/fix-payload.js";
import type { Job, JobQueue } from "../queue/job.js";
import type { JobHandler } from "../queue/worker-pool.js";
import { isAllowed } from "./authorize.js";
import { helpText } from "./parse-command.js";

/** Answers `/coder cancel`, `/coder help` and unknown commands; runs beside long jobs, never behind them. */
export class NoticeJobHandler implements JobHandler {
  readonly #forgeFor: (installationId: number | null) => Promise<Forge>;
  readonly #queue: JobQueue;

  constructor(forgeFor: (installationId: number | null) => Promise<Forge>, queue: JobQueue) {
    this.#forgeFor = forgeFor;
    this.#queue = queue;
  }

  async run(job: Job): Promise<"succeeded"> {
    const payload = job.payload as NoticeJobPayload;
    const { repo, comment, issueNumber } = payload;
    const forge = await this.#forgeFor(payload.installationId);
    let rules = defaultRepoConfig.triggers;
    try {
      rules = parseRepoConfig(await forge.getFile(repo, REPO_CONFIG_PATH, repo.defaultBranch)).triggers;
    } catch {
      // A broken config must not lock maintainers out of cancelling; the defaults apply.
    }
    if (!isAllowed(rules, comment.author, await forge.getPermission(repo, comment.author))) {
      await forge.createComment(repo, issueNumber, `Thanks, @${comment.author}, but I only take \`/coder\` commands from people with write access to this repository.`);
      return "succeeded";
    }
    await forge.addReaction(repo, comment.id, "eyes");
    if (payload.command === "help") {
      await forge.createComment(repo, issueNumber, helpText);
    } else if (payload.command === "cancel") {
      const result = await this.#queue.requestCancel(repoKeyOf(repo), subjectOf(issueNumber), comment.author);
      const parts: string[] = [];
      if (result.running.length) parts.push("I am stopping the running job; its progress comment will say when it has stopped.");
      if (result.queued.length) parts.push(`I cancelled ${result.queued.length} job(s) that had not started yet.`);
      await forge.createComment(repo, issueNumber, parts.length ? `🛑 ${parts.join(" ")}` : "There is no `/coder` job running or waiting on this issue.");
    } else {
      await forge.createComment(repo, issueNumber, `I don't know the command \`/coder ${payload.command.unknown}\`.\n\n${helpText}`);
    }
    return "succeeded";
  }

  async giveUp(job: Job, reason: string): Promise<void> {
    const payload = job.payload as NoticeJobPayload;
    const forge = await this.#forgeFor(payload.installationId);
    await forge.createComment(payload.repo, payload.issueNumber, `I could not answer \`/coder\` here: ${reason}`);
  }
}
