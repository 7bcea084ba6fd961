import type { ForgeWriter } from "../forge/forge-writer.js";
import type { Forges } from "../forge/forges.js";
import { fullNameOf, repoKeyOf } from "../forge/repository.js";
import { passGate } from "../jobs/gate.js";
import type { Job, JobContext, JobHandler, JobOutcome } from "../jobs/job.js";
import type { FixPayload } from "../jobs/payloads/fix-payload.js";
import type { MirrorCache } from "../workspace/mirror-cache.js";
import { fixCheckpointSchema, type CheckpointStore, type FixCheckpoint } from "./fix-checkpoint.js";
import type { FixDeps, FixState } from "./fix-context.js";
import type { FixRequest } from "./fix-request.js";
import { fixSteps, type FixSteps } from "./fix-steps.js";
import { isTransient } from "./is-transient.js";
import { renderFailure } from "./progress-comment.js";
import { ProgressComment } from "./progress-reporter.js";
import { runFix, type Admission, type FixBase } from "./run-fix.js";
import { mirrorSource } from "./workspace-source.js";

export interface FixJobDeps extends FixDeps {
  readonly forges: Forges;
  readonly mirrors: MirrorCache;
  /** Every `/coder fix` is a dry run (`CODER_DRY_RUN`). */
  readonly dryRun: boolean;
  /** Minimum time between progress-comment edits during the agent's work. */
  readonly progressIntervalMs?: number;
  /** The steps to run; the same ones `coder-bot fix` runs. */
  readonly steps?: FixSteps;
}

/** `/coder fix`: the gate, then the fix's steps with a progress comment on the forge and the job's checkpoint. */
export class FixJobHandler implements JobHandler<FixPayload> {
  readonly #deps: FixJobDeps;

  constructor(deps: FixJobDeps) {
    this.#deps = deps;
  }

  async run(job: Job<FixPayload>, context: JobContext): Promise<JobOutcome> {
    const { repository, comment, issue } = job.payload;
    const forge = await this.#deps.forges.open(repository.address);
    const checkpoint = jobCheckpoint(job, context);
    const request = fixRequestOf(job, this.#deps.dryRun);
    const state: FixState = { phase: "configure", dryRun: request.dryRun, dryRunReason: null, pullRequest: null };
    const base: FixBase = {
      deps: this.#deps,
      request,
      forge,
      source: mirrorSource(this.#deps.mirrors, request.repoKey, repository.cloneUrl),
      reporter: new ProgressComment({
        forge,
        repo: repository,
        issueNumber: issue.number,
        requestedBy: comment.author,
        jobId: job.id,
        model: this.#deps.provider.label,
        checkpoint,
        dryRun: () => state.dryRun,
        ...(this.#deps.progressIntervalMs !== undefined ? { intervalMs: this.#deps.progressIntervalMs } : {}),
        log: this.#deps.log,
      }),
      checkpoint,
      signal: context.signal,
      cancelledBy: () => context.cancelledBy(),
      // The forge or the network failing for a moment: the queue retries the job with backoff, and
      // the checkpoint makes the retry resume where this attempt stopped.
      retryable: (error) => isTransient(error) && job.attempts < job.maxAttempts,
      state,
    };
    const admit: Admission = async (fix) => {
      const gate = await passGate(
        forge,
        { repository, comment: { ...comment, issueNumber: issue.number }, onPhase: (phase) => (fix.phase = phase), log: this.#deps.log },
        job,
        context,
      );
      return gate.pass ? gate.config : null;
    };
    const result = await runFix(base, admit, this.#deps.steps ?? fixSteps);
    return result.status;
  }

  async giveUp(job: Job<FixPayload>, reason: string): Promise<void> {
    const { repository, issue, comment, command } = job.payload;
    const forge: ForgeWriter = await this.#deps.forges.open(repository.address);
    const body = renderFailure({
      requestedBy: comment.author,
      dryRun: command.dryRun || this.#deps.dryRun,
      phase: "work",
      message: `the job was interrupted and will not be retried (${reason})`,
    });
    // Whatever else is wrong with the checkpoint, the comment it names is where the failure belongs.
    const progressCommentId = fixCheckpointSchema.safeParse(job.checkpoint).data?.progressCommentId;
    if (progressCommentId) await forge.updateComment(repository, progressCommentId, body);
    else await forge.createComment(repository, issue.number, body);
  }
}

/** The request a `/coder fix` comment makes. */
function fixRequestOf(job: Job<FixPayload>, dryRunEverywhere: boolean): FixRequest {
  const { repository, issue, comment, command } = job.payload;
  return {
    repoKey: repoKeyOf(repository),
    repoName: fullNameOf(repository),
    owner: repository.owner,
    repo: repository.repo,
    defaultBranch: repository.defaultBranch,
    issue,
    instructions: command.instructions,
    requestedBy: comment.author,
    dryRun: command.dryRun || dryRunEverywhere,
    base: issue.isPullRequest ? { kind: "pull-request" } : { kind: "default-branch" },
    deliverable: "pull-request",
    indexTag: repository.defaultBranch,
    workspaceName: `job-${job.id}`,
    jobId: job.id,
  };
}

/**
 * The job's checkpoint as the fix reads it. One that does not parse (a hand-edited row) is not
 * trusted: starting over could open a second pull request, so the job fails with the reason.
 */
function readCheckpoint(job: Job<FixPayload>): FixCheckpoint {
  const parsed = fixCheckpointSchema.safeParse(job.checkpoint);
  if (!parsed.success)
    throw new Error(
      `the job's checkpoint cannot be read (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}); comment \`/coder fix\` again`,
    );
  return parsed.data;
}

function jobCheckpoint(job: Job<FixPayload>, context: JobContext): CheckpointStore {
  const current = readCheckpoint(job);
  return {
    current,
    save: async (update) => {
      Object.assign(current, update);
      await context.checkpoint(update);
    },
  };
}
