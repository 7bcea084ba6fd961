import type { RepoRef } from "../forge/forge.js";
import type { ForgeWriter } from "../forge/forge-writer.js";
import type { Logger } from "../jobs/logger.js";
import type { CheckpointStore } from "./fix-checkpoint.js";
import type { FixOutcome } from "./fix-outcome.js";
import type { FixFailure, FixReporter } from "./fix-reporter.js";
import type { Phase } from "./phase.js";
import { renderCancelled, renderDone, renderFailure, renderWorking } from "./progress-comment.js";

const DRY_RUN_OUTCOME = "🔍 Dry run: nothing was pushed and no pull request was opened.";

/**
 * A fix's report on the forge: one comment on the issue or pull request, created when the work
 * starts (its id checkpointed, so a resumed job edits the same comment) and edited as it goes —
 * during the agent's work at most once per interval — until it ends with the outcome.
 */
export class ProgressComment implements FixReporter {
  readonly #forge: ForgeWriter;
  readonly #repo: RepoRef;
  readonly #issueNumber: number;
  readonly #requestedBy: string;
  readonly #jobId: number;
  readonly #model: string;
  readonly #checkpoint: CheckpointStore;
  readonly #dryRun: () => boolean;
  readonly #intervalMs: number;
  readonly #log: Logger;
  #lastEditAt = 0;
  #writes: Promise<void> = Promise.resolve();

  constructor(params: {
    readonly forge: ForgeWriter;
    readonly repo: RepoRef;
    readonly issueNumber: number;
    readonly requestedBy: string;
    readonly jobId: number;
    readonly model: string;
    readonly checkpoint: CheckpointStore;
    /** Read at each edit: a fix on a fork's pull request becomes a dry run once it knows. */
    readonly dryRun: () => boolean;
    readonly intervalMs?: number;
    readonly log: Logger;
  }) {
    this.#forge = params.forge;
    this.#repo = params.repo;
    this.#issueNumber = params.issueNumber;
    this.#requestedBy = params.requestedBy;
    this.#jobId = params.jobId;
    this.#model = params.model;
    this.#checkpoint = params.checkpoint;
    this.#dryRun = params.dryRun;
    this.#intervalMs = params.intervalMs ?? 10_000;
    this.#log = params.log;
  }

  async started(): Promise<void> {
    const body = this.#working("prepare", null);
    const id = this.#checkpoint.current.progressCommentId;
    if (id) {
      await this.#forge.updateComment(this.#repo, id, body);
    } else {
      const posted = await this.#forge.createComment(this.#repo, this.#issueNumber, body);
      await this.#checkpoint.save({ progressCommentId: posted.id });
    }
  }

  progress(phase: Phase, detail: string | null, force: boolean): Promise<void> {
    const now = Date.now();
    if (!force && now - this.#lastEditAt < this.#intervalMs) return Promise.resolve();
    this.#lastEditAt = now;
    const id = this.#checkpoint.current.progressCommentId;
    if (!id) return Promise.resolve();
    const body = this.#working(phase, detail);
    this.#writes = this.#writes
      .then(() => this.#forge.updateComment(this.#repo, id, body))
      .catch((error: unknown) => this.#log.warn({ err: error }, "could not update the progress comment"));
    return this.#writes;
  }

  agentStopped(): void {
    // The figures appear in the final edit, with the outcome.
  }

  tested(): void {
    // So does the test result.
  }

  finished(outcome: FixOutcome): Promise<void> {
    const requestedBy = this.#requestedBy;
    switch (outcome.kind) {
      case "no-change":
        return this.#final(
          renderDone({
            requestedBy,
            dryRun: this.#dryRun(),
            outcome: "🤷 I finished without changing any file, so there is nothing to push.",
            test: outcome.test,
            files: [],
            figures: outcome.figures,
            summary: outcome.summary,
          }),
        );
      case "dry-run":
        return this.#final(
          renderDone({
            requestedBy,
            dryRun: true,
            outcome: DRY_RUN_OUTCOME,
            test: outcome.test,
            files: outcome.files,
            figures: outcome.figures,
            summary: outcome.summary,
            ...(outcome.diff !== null ? { diff: outcome.diff } : {}),
            ...(outcome.notes.length ? { notes: outcome.notes } : {}),
          }),
        );
      case "published": {
        const { committed, pullRequest: pr } = outcome;
        const text = outcome.onHead
          ? `✅ Pushed ${committed.sha.slice(0, 7)} on top of \`${outcome.branch}\` (fast-forward).`
          : `✅ Opened ${pr?.draft ? "draft " : ""}pull request #${pr?.number}${pr?.draft ? " as a draft because the tests fail" : ""}.`;
        return this.#final(
          renderDone({
            requestedBy,
            dryRun: false,
            outcome: text,
            pullRequest: pr,
            branch: outcome.branch,
            test: committed.test,
            files: committed.files,
            figures: committed.figures,
            summary: committed.summary,
            notes: outcome.notes,
          }),
        );
      }
    }
  }

  failed(failure: FixFailure): Promise<void> {
    return this.#final(
      renderFailure({
        requestedBy: this.#requestedBy,
        dryRun: this.#dryRun(),
        phase: failure.phase,
        message: failure.message,
        pushedBranch: failure.pushedBranch,
        ...(failure.hint ? { hint: failure.hint } : {}),
      }),
    );
  }

  cancelled(by: string, phase: Phase): Promise<void> {
    return this.#final(renderCancelled({ requestedBy: this.#requestedBy, dryRun: this.#dryRun(), by, phase }));
  }

  async flush(): Promise<void> {
    await this.#writes.catch(() => undefined);
  }

  #working(phase: Phase, detail: string | null): string {
    return renderWorking({
      requestedBy: this.#requestedBy,
      dryRun: this.#dryRun(),
      phase,
      ...(detail ? { detail } : {}),
      jobId: this.#jobId,
      model: this.#model,
    });
  }

  async #final(body: string): Promise<void> {
    await this.flush();
    const id = this.#checkpoint.current.progressCommentId;
    if (id) await this.#forge.updateComment(this.#repo, id, body);
    else await this.#forge.createComment(this.#repo, this.#issueNumber, body);
  }
}
