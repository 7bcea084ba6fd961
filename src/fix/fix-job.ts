import { runAgent, type AgentResult } from "../agent/agent-loop.js";
import { fixSystemPrompt, fixTaskPrompt } from "../agent/prompts.js";
import { describeConfigProblems, parseRepoConfig, REPO_CONFIG_PATH, RepoConfigError, type RepoConfig, defaultRepoConfig } from "../config/repo-config.js";
import type { Forge, PullRequestInfo } from "../forge/forge.js";
import { commitStaged, stageChanges } from "../git/commit-changes.js";
import type { PushRules } from "../git/push-policy.js";
import { runGit } from "../git/run-git.js";
import { LlmError } from "../llm/llm-error.js";
import type { LlmProvider } from "../llm/types.js";
import type { ToolModeSetting } from "../agent/tool-channel.js";
import type { CodeIndex } from "../index/code-index.js";
import { codeContextFor } from "./code-context.js";
import type { Job } from "../queue/job.js";
import type { JobContext, JobHandler, Logger } from "../queue/worker-pool.js";
import { PathGuard } from "../safety/path-guard.js";
import { Redactor } from "../safety/redact.js";
import type { RunStore } from "../store/run-store.js";
import type { MirrorCache } from "../workspace/mirror-cache.js";
import type { CommandRunner, RunnerFactory } from "../workspace/runner.js";
import { WorkspaceError } from "../workspace/docker/workspace-errors.js";
import type { Worktree, Worktrees } from "../workspace/worktrees.js";
import { policyFor, sandboxFor } from "./sandbox-config.js";
import { isAllowed } from "../triggers/authorize.js";
import { branchFor } from "./branch-name.js";
import type { FixJobPayload } from "./fix-payload.js";
import { repoKeyOf } from "./fix-payload.js";
import { renderCancelled, renderDone, renderFailure, renderWorking, type FileChange, type Phase, type RunFigures, type TestOutcome } from "./progress-comment.js";
import { commitMessage, pullRequestBody, pullRequestTitle } from "./pull-request-text.js";
import { openPullRequest, pushOntoPullRequestHead, pushToFreeBranch, type PublishContext } from "./publish.js";
import { detectTestCommand } from "./test-command.js";

export interface FixJobDeps {
  forgeFor(installationId: number | null): Promise<Forge>;
  readonly mirrors: MirrorCache;
  readonly worktrees: Worktrees;
  readonly runners: RunnerFactory;
  readonly provider: LlmProvider;
  /** How tools reach the model; `auto` by default. */
  readonly toolMode?: ToolModeSetting;
  /** The code index, for `search_code` and the first prompt; the agent works without it. */
  readonly codeIndex?: CodeIndex;
  readonly runs: RunStore;
  readonly dryRun: boolean;
  readonly author: { readonly name: string; readonly email: string };
  /** Secrets of the deployment (webhook secret, private key) that must never be posted. */
  readonly secrets: readonly string[];
  readonly log: Logger;
  /** Minimum time between progress-comment edits during the agent phase. */
  readonly progressIntervalMs?: number;
}

/** What a finished (committed) run left in the checkpoint, so a retry after a crash can publish without redoing the work. */
export interface Committed {
  readonly sha: string;
  readonly baseSha: string;
  readonly summary: string | null;
  readonly test: TestOutcome;
  readonly files: readonly FileChange[];
  readonly figures: RunFigures;
}

interface Checkpoint {
  progressCommentId?: number;
  reacted?: boolean;
  committed?: Committed;
  pushed?: { branch: string; onHead: boolean; notes: string[] };
  pullRequest?: { number: number; url: string; draft: boolean };
}

/** A prepared workspace: the worktree, its mirror, the runner and the commit it started from. */
interface Prepared extends Worktree {
  readonly mirror: string;
  readonly runner: CommandRunner;
  readonly baseSha: string;
}

const DRY_RUN_OUTCOME = "🔍 Dry run: nothing was pushed and no pull request was opened.";

class PhaseError extends Error {
  readonly phase: Phase;
  readonly hint: string | undefined;
  constructor(phase: Phase, message: string, hint?: string, cause?: unknown) {
    super(message, { cause });
    this.phase = phase;
    this.hint = hint;
  }
}

/** `/coder fix`: configure, authorize, acknowledge, prepare, agent, test, commit, publish, report. */
export class FixJobHandler implements JobHandler {
  readonly #deps: FixJobDeps;

  constructor(deps: FixJobDeps) {
    this.#deps = deps;
  }

  async run(job: Job, context: JobContext): Promise<"succeeded" | "failed" | "cancelled"> {
    return new FixRun(this.#deps, job, context).execute();
  }

  async giveUp(job: Job, reason: string): Promise<void> {
    const payload = job.payload as FixJobPayload;
    const checkpoint = job.checkpoint as Checkpoint;
    const forge = await this.#deps.forgeFor(payload.installationId);
    const redactor = new Redactor(this.#deps.secrets);
    const body = renderFailure({
      requestedBy: payload.comment.author,
      dryRun: payload.command.dryRun || this.#deps.dryRun,
      phase: "agent",
      message: redactor.redact(`the job was interrupted and will not be retried (${reason})`),
    });
    if (checkpoint.progressCommentId) await forge.updateComment(payload.repo, checkpoint.progressCommentId, body);
    else await forge.createComment(payload.repo, payload.issue.number, body);
  }
}

class FixRun {
  readonly #deps: FixJobDeps;
  readonly #job: Job;
  readonly #context: JobContext;
  readonly #payload: FixJobPayload;
  readonly #checkpoint: Checkpoint;
  readonly #redactor: Redactor;
  #dryRun: boolean;
  /** Why a fix became a dry run on its own (a fork's pull request). */
  #dryRunReason: string | null = null;
  #forge!: Forge;
  #phase: Phase = "configure";
  #lastProgressAt = 0;
  #progressWrite: Promise<void> = Promise.resolve();

  constructor(deps: FixJobDeps, job: Job, context: JobContext) {
    this.#deps = deps;
    this.#job = job;
    this.#context = context;
    this.#payload = job.payload as FixJobPayload;
    this.#checkpoint = { ...(job.checkpoint as Checkpoint) };
    this.#redactor = new Redactor(deps.secrets);
    this.#dryRun = this.#payload.command.dryRun || deps.dryRun;
  }

  async execute(): Promise<"succeeded" | "failed" | "cancelled"> {
    this.#forge = await this.#deps.forgeFor(this.#payload.installationId);
    let workspace: Prepared | undefined;
    try {
      const config = await this.#configureAndAuthorize();
      if (config === null) return "succeeded";
      await this.#acknowledge();
      if (!this.#checkpoint.committed) {
        const token = await this.#token();
        const target = await this.#resolveTarget();
        workspace = await this.#prepare(token, target.ref, target.extraRefs, config);
        const committed = await this.#work(config, workspace);
        if (committed === null) return "succeeded";
        if (this.#dryRun) return "succeeded";
      }
      if (this.#dryRun) {
        // Resumed with dry run switched on since: the commit stays local.
        const c = this.#checkpoint.committed!;
        await this.#report(renderDone({ requestedBy: this.#payload.comment.author, dryRun: true, outcome: DRY_RUN_OUTCOME, test: c.test, files: c.files, figures: c.figures, summary: c.summary }));
        return "succeeded";
      }
      if (this.#context.signal.aborted) throw this.#context.signal.reason;
      await this.#publish(config, workspace?.dir);
      return "succeeded";
    } catch (error) {
      return await this.#fail(error);
    } finally {
      await this.#progressWrite.catch(() => undefined);
      if (workspace) {
        await workspace.runner.dispose().catch(() => undefined);
        await this.#deps.worktrees.remove(workspace.mirror, workspace.dir).catch((e: unknown) => this.#deps.log.warn({ err: e }, "could not remove a worktree"));
      }
    }
  }

  // ── configure, authorize, acknowledge ────────────────────────────────────────────────

  async #configureAndAuthorize(): Promise<RepoConfig | null> {
    const { repo, comment, issue } = this.#payload;
    this.#phase = "configure";
    let config: RepoConfig;
    let configError: RepoConfigError | null = null;
    try {
      config = parseRepoConfig(await this.#forge.getFile(repo, REPO_CONFIG_PATH, repo.defaultBranch));
    } catch (error) {
      if (!(error instanceof RepoConfigError)) throw error;
      configError = error;
      config = defaultRepoConfig;
    }
    this.#phase = "authorize";
    const permission = await this.#forge.getPermission(repo, comment.author);
    if (!isAllowed(config.triggers, comment.author, permission)) {
      await this.#forge.createComment(
        repo,
        issue.number,
        `Thanks for the request, @${comment.author}! I only take \`/coder\` commands from people with ${config.triggers.permissions.join(", ")} access to this repository, so I'll leave this one to a maintainer.`,
      );
      return null;
    }
    if (configError) {
      await this.#forge.addReaction(repo, comment.id, "confused");
      await this.#forge.createComment(repo, issue.number, describeConfigProblems(configError));
      return null;
    }
    return config;
  }

  async #acknowledge(): Promise<void> {
    this.#phase = "acknowledge";
    const { repo, comment, issue } = this.#payload;
    if (!this.#checkpoint.reacted) {
      await this.#forge.addReaction(repo, comment.id, "eyes");
      await this.#save({ reacted: true });
    }
    const body = renderWorking({ requestedBy: comment.author, dryRun: this.#dryRun, phase: "prepare", jobId: this.#job.id, model: this.#deps.provider.label });
    if (this.#checkpoint.progressCommentId) {
      await this.#forge.updateComment(repo, this.#checkpoint.progressCommentId, body);
    } else {
      const posted = await this.#forge.createComment(repo, issue.number, body);
      await this.#save({ progressCommentId: posted.id });
    }
  }

  // ── prepare ──────────────────────────────────────────────────────────────────────────

  #pullRequest: PullRequestInfo | null = null;

  async #resolveTarget(): Promise<{ ref: string; extraRefs: string[] }> {
    const { repo, issue } = this.#payload;
    if (!issue.isPullRequest) return { ref: `refs/remotes/origin/${repo.defaultBranch}`, extraRefs: [] };
    this.#pullRequest = await this.#forge.getPullRequest(repo, issue.number);
    if (this.#pullRequest.state !== "open") throw new PhaseError("prepare", `pull request #${issue.number} is closed`, "reopen it, or comment on an open one");
    const sameRepo = this.#pullRequest.head.repoFullName?.toLowerCase() === `${repo.owner}/${repo.repo}`.toLowerCase();
    if (sameRepo) return { ref: this.#pullRequest.head.sha, extraRefs: [] };
    // A fork's commits pushed into this repository would run in its workflows with its secrets.
    this.#dryRun = true;
    this.#dryRunReason = "This pull request comes from a fork. I don't push a fork's commits into this repository (its workflows would run them with this repository's secrets), so here is the change as a diff for the author to apply.";
    return { ref: this.#pullRequest.head.sha, extraRefs: [`refs/pull/${issue.number}/head`] };
  }

  async #prepare(token: string | null, ref: string, extraRefs: string[], config: RepoConfig): Promise<Prepared> {
    this.#phase = "prepare";
    const { repo } = this.#payload;
    const gitDir = await this.#deps.mirrors.fetch({ repoKey: repoKeyOf(repo), cloneUrl: repo.cloneUrl, token, extraRefs });
    const resolved = await runGit(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd: gitDir, allowFailure: true });
    if (resolved.exitCode !== 0) throw new PhaseError("prepare", `${ref} is not in the repository`, "check that the branch exists and the App can read the repository");
    const baseSha = resolved.stdout.trim();
    const worktree = await this.#deps.worktrees.add(gitDir, baseSha, `job-${this.#job.id}`);
    const sandbox = sandboxFor(config, gitDir);
    const runner = await this.#deps.runners.create(worktree.dir, { name: `job-${this.#job.id}`, sandbox }).catch(async (error: unknown) => {
      await this.#deps.worktrees.remove(gitDir, worktree.dir).catch(() => undefined);
      if (error instanceof WorkspaceError) throw new PhaseError("prepare", error.message, error.hint, error);
      throw new PhaseError("prepare", `cannot start the workspace: ${(error as Error).message}`, "run `coder-bot doctor`", error);
    });
    return { ...worktree, mirror: gitDir, runner, baseSha };
  }

  // ── agent, test, commit ──────────────────────────────────────────────────────────────

  async #work(config: RepoConfig, ws: Prepared): Promise<Committed | null> {
    const { issue, repo, command, comment } = this.#payload;
    const testCommand = config.test.command ?? (await detectTestCommand(ws.dir));
    this.#phase = "agent";
    await this.#progress(true);
    const code = await codeContextFor(this.#deps.codeIndex, config, {
      repoKey: repoKeyOf(repo),
      tag: repo.defaultBranch,
      query: `${issue.title}\n${issue.body}\n${command.instructions}`,
      signal: this.#context.signal,
      onError: (error) => this.#deps.log.warn({ err: error }, "the code index could not be used; working without it"),
    });
    const task = [fixTaskPrompt({ repoFullName: `${repo.owner}/${repo.repo}`, issueNumber: issue.number, title: issue.title, body: issue.body, instructions: command.instructions, isPullRequest: issue.isPullRequest }), code.preamble].filter(Boolean).join("\n\n");
    const runId = this.#deps.runs.start({ jobId: this.#job.id, repoKey: repoKeyOf(repo), task, model: this.#deps.provider.label });
    const agent: AgentResult = await runAgent({
      provider: this.#deps.provider,
      ...(this.#deps.toolMode ? { toolMode: this.#deps.toolMode } : {}),
      tools: code.tools,
      system: fixSystemPrompt({ testCommand, repoInstructions: config.instructions, searchCode: code.codeSearch !== undefined }),
      task,
      budgets: { steps: config.budgets.steps, wallMs: config.budgets.minutes * 60_000, tokens: config.budgets.tokens },
      toolContext: { root: ws.dir, guard: new PathGuard(ws.dir), runner: ws.runner, commandTimeoutMs: config.budgets.commandTimeoutMinutes * 60_000, policy: policyFor(config), ...(code.codeSearch ? { codeSearch: code.codeSearch } : {}) },
      signal: this.#context.signal,
      recorder: { store: this.#deps.runs, runId },
      onStep: ({ step, lastTool }) => void this.#progress(false, `step ${step} of ${config.budgets.steps}${lastTool ? ` (last: ${lastTool})` : ""}`),
    });
    this.#deps.runs.finish(runId, { stopReason: agent.stopReason, steps: agent.steps, promptTokens: agent.promptTokens, completionTokens: agent.completionTokens });
    if (agent.stopReason === "cancelled") throw this.#context.signal.reason;
    if (agent.stopReason === "model-error") throw new PhaseError("agent", agent.error?.message ?? "the model failed", agent.error?.hint);
    const summary = agent.summary ?? (agent.stuck ? `I stopped because I was stuck: ${agent.stuck}.` : null);
    const figures: RunFigures = { steps: agent.steps, maxSteps: config.budgets.steps, tokens: agent.promptTokens + agent.completionTokens, durationMs: agent.durationMs, stopReason: agent.stopReason };

    this.#phase = "test";
    await this.#progress(true);
    const staged = await stageChanges(ws, ws.baseSha);
    const test = await this.#runTests(ws.runner, testCommand, config);

    if (staged.files.length === 0) {
      await this.#report(renderDone({ requestedBy: comment.author, dryRun: this.#dryRun, outcome: "🤷 I finished without changing any file, so there is nothing to push.", test, files: [], figures, summary }));
      return null;
    }
    if (this.#dryRun) {
      const committed: Committed = { sha: "", baseSha: ws.baseSha, summary, test, files: staged.files, figures };
      await this.#report(renderDone({ requestedBy: comment.author, dryRun: true, outcome: DRY_RUN_OUTCOME, test, files: staged.files, figures, summary, diff: staged.diff, ...(this.#dryRunReason ? { notes: [this.#dryRunReason] } : {}) }));
      return committed;
    }
    this.#phase = "commit";
    const sha = await commitStaged(ws, { message: this.#redactor.redact(commitMessage(this.#payload, summary)), authorName: this.#deps.author.name, authorEmail: this.#deps.author.email });
    const committed: Committed = { sha, baseSha: ws.baseSha, summary, test, files: staged.files, figures };
    await this.#save({ committed });
    return committed;
  }

  async #runTests(runner: CommandRunner, command: string | null, config: RepoConfig): Promise<TestOutcome> {
    if (command === null) return { command: null, passed: null, exitCode: null, timedOut: false, tail: "" };
    const result = await runner.run({ shell: command }, { timeoutMs: config.test.timeoutMinutes * 60_000, signal: this.#context.signal, maxOutputBytes: 16 * 1024 });
    if (this.#context.signal.aborted) throw this.#context.signal.reason;
    const output = `${result.stdout}\n${result.stderr}`.trim();
    return { command, passed: result.exitCode === 0 && !result.timedOut, exitCode: result.exitCode, timedOut: result.timedOut, tail: output.split("\n").slice(-40).join("\n") };
  }

  // ── publish and report ───────────────────────────────────────────────────────────────

  async #publish(config: RepoConfig, worktree: string | undefined): Promise<void> {
    const committed = this.#checkpoint.committed!;
    const { repo, issue, comment } = this.#payload;
    this.#phase = "publish";
    if (!this.#checkpoint.pushed) {
      await this.#progress(true);
      const ctx = await this.#publishContext(config, committed, worktree);
      const notes: string[] = [];
      let branch: string | null = null;
      let onHead = false;
      if (issue.isPullRequest) {
        const pr = this.#pullRequest ?? (await this.#forge.getPullRequest(repo, issue.number));
        const result = await pushOntoPullRequestHead(ctx, pr, committed.baseSha, `${repo.owner}/${repo.repo}`);
        if (result.pushed) {
          branch = pr.head.ref;
          onHead = true;
        } else {
          notes.push(`I could not push onto this pull request's branch: ${result.why}. I opened a pull request against it instead.`);
        }
      }
      if (branch === null) {
        const wanted = branchFor(config.branches.prefix, issue.isPullRequest ? "pr" : "issue", issue.number, issue.title);
        const pushed = await pushToFreeBranch(ctx, wanted);
        if (pushed.movedAside) notes.push(`\`${wanted}\` already had other commits, so I pushed to \`${pushed.branch}\` and left it untouched.`);
        branch = pushed.branch;
      }
      await this.#save({ pushed: { branch, onHead, notes } });
    }
    const pushed = this.#checkpoint.pushed!;
    if (!pushed.onHead && !this.#checkpoint.pullRequest) {
      const base = await this.#pullRequestBase();
      const draft = committed.test.passed === false && config.pullRequests.draftWhenTestsFail;
      const pr = await openPullRequest({ forge: this.#forge, repo }, { head: pushed.branch, base, title: pullRequestTitle(this.#payload), body: this.#redactor.redact(pullRequestBody(this.#payload, committed, this.#deps.provider.label)), draft });
      await this.#save({ pullRequest: { number: pr.number, url: pr.url, draft: pr.draft } });
    }
    this.#phase = "report";
    const pr = this.#checkpoint.pullRequest;
    const outcome = pushed.onHead
      ? `✅ Pushed ${committed.sha.slice(0, 7)} on top of \`${pushed.branch}\` (fast-forward).`
      : `✅ Opened ${pr?.draft ? "draft " : ""}pull request #${pr?.number}${pr?.draft ? " as a draft because the tests fail" : ""}.`;
    await this.#report(renderDone({ requestedBy: comment.author, dryRun: false, outcome, pullRequest: pr ?? null, branch: pushed.branch, test: committed.test, files: committed.files, figures: committed.figures, summary: committed.summary, notes: pushed.notes }));
  }

  async #publishContext(config: RepoConfig, committed: Committed, worktree: string | undefined): Promise<PublishContext> {
    const { repo } = this.#payload;
    const rules: PushRules = { defaultBranch: repo.defaultBranch, prefix: config.branches.prefix, protectedPatterns: config.branches.protected };
    const token = await this.#token();
    let cwd = worktree;
    if (cwd === undefined) {
      // Resuming after a crash: the commit is in the mirror's object store (the worktree shared it).
      cwd = this.#deps.mirrors.pathFor(repoKeyOf(repo));
      const has = await runGit(["cat-file", "-e", `${committed.sha}^{commit}`], { cwd, allowFailure: true });
      if (has.exitCode !== 0) throw new PhaseError("publish", "the commit made before the restart is gone", "comment `/coder fix` again");
    }
    return { forge: this.#forge, repo, worktree: cwd, cloneUrl: repo.cloneUrl, token, sha: committed.sha, rules };
  }

  async #pullRequestBase(): Promise<string> {
    const { repo, issue } = this.#payload;
    if (!issue.isPullRequest) return repo.defaultBranch;
    const pr = this.#pullRequest ?? (await this.#forge.getPullRequest(repo, issue.number));
    const sameRepo = pr.head.repoFullName?.toLowerCase() === `${repo.owner}/${repo.repo}`.toLowerCase();
    return sameRepo ? pr.head.ref : pr.base.ref;
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────

  async #token(): Promise<string | null> {
    const token = await this.#forge.gitToken();
    this.#redactor.add(token);
    return token;
  }

  async #save(update: Partial<Checkpoint>): Promise<void> {
    Object.assign(this.#checkpoint, update);
    await this.#context.checkpoint(update as Record<string, unknown>);
  }

  /** Edits the progress comment; during the agent phase at most once per interval. */
  #progress(force: boolean, detail?: string): Promise<void> {
    const now = Date.now();
    if (!force && now - this.#lastProgressAt < (this.#deps.progressIntervalMs ?? 10_000)) return Promise.resolve();
    this.#lastProgressAt = now;
    const id = this.#checkpoint.progressCommentId;
    if (!id) return Promise.resolve();
    const body = renderWorking({ requestedBy: this.#payload.comment.author, dryRun: this.#dryRun, phase: this.#phase, ...(detail ? { detail } : {}), jobId: this.#job.id, model: this.#deps.provider.label });
    this.#progressWrite = this.#progressWrite
      .then(() => this.#forge.updateComment(this.#payload.repo, id, this.#redactor.redact(body)))
      .catch((error: unknown) => this.#deps.log.warn({ err: error }, "could not update the progress comment"));
    return this.#progressWrite;
  }

  async #report(body: string): Promise<void> {
    await this.#progressWrite.catch(() => undefined);
    const text = this.#redactor.redact(body);
    const id = this.#checkpoint.progressCommentId;
    if (id) await this.#forge.updateComment(this.#payload.repo, id, text);
    else await this.#forge.createComment(this.#payload.repo, this.#payload.issue.number, text);
  }

  async #fail(error: unknown): Promise<"failed" | "cancelled"> {
    const by = this.#context.cancelledBy();
    if (by !== null) {
      await this.#report(renderCancelled({ requestedBy: this.#payload.comment.author, dryRun: this.#dryRun, by, phase: this.#phase }));
      return "cancelled";
    }
    // Shutting down: leave the job running so the next start retries it.
    if (this.#context.signal.aborted) throw error;
    // GitHub or the network failing for a moment: the queue retries the job with backoff, and
    // the checkpoint makes the retry resume where this attempt stopped.
    if (isTransient(error) && this.#job.attempts < this.#job.maxAttempts) throw error;
    const phase = error instanceof PhaseError ? error.phase : this.#phase;
    const hint = error instanceof PhaseError ? error.hint : error instanceof LlmError ? error.hint : undefined;
    this.#deps.log.error({ job: this.#job.id, phase, err: error }, "fix job failed");
    const pushed = this.#checkpoint.pushed?.branch ?? null;
    await this.#report(renderFailure({ requestedBy: this.#payload.comment.author, dryRun: this.#dryRun, phase, message: (error as Error).message ?? String(error), pushedBranch: pushed, ...(hint ? { hint } : {}) }));
    return "failed";
  }
}

/** Failures worth another attempt: GitHub's 5xx and rate limits, and connections that broke. */
function isTransient(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  if (typeof status === "number") return status >= 500 || status === 429;
  const code = (error as { code?: string }).code ?? ((error as { cause?: { code?: string } }).cause?.code);
  return code !== undefined && ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EAI_AGAIN", "UND_ERR_SOCKET"].includes(code);
}
