import type { ToolModeSetting } from "../agent/tool-channel.js";
import type { Forges } from "../forge/forges.js";
import { fullNameOf, repoKeyOf } from "../forge/repository.js";
import { runGit } from "../git/run-git.js";
import type { CodeIndex } from "../index/code-index.js";
import type { LlmProvider } from "../llm/types.js";
import { passGate } from "../jobs/gate.js";
import type { Job, JobContext, JobHandler } from "../jobs/job.js";
import type { Logger } from "../jobs/logger.js";
import type { AskPayload } from "../jobs/payloads/ask-payload.js";
import type { RunStore } from "../store/run-store.js";
import { HostRunner } from "../workspace/host-runner.js";
import type { MirrorCache } from "../workspace/mirror-cache.js";
import type { Worktrees } from "../workspace/worktrees.js";
import { answerQuestion } from "./answer-question.js";
import { explainQuestion, parseExplainTarget } from "./ask-prompt.js";

export interface AskJobDeps {
  readonly forges: Forges;
  readonly mirrors: MirrorCache;
  readonly worktrees: Worktrees;
  readonly provider: LlmProvider;
  readonly toolMode?: ToolModeSetting;
  readonly runs: RunStore;
  readonly codeIndex?: CodeIndex | null;
  readonly log: Logger;
}

/**
 * Answers `/coder ask <question>` and `/coder explain <path[:start-end]>` from a read-only checkout
 * (a pull request's head on a pull request, the default branch on an issue). Nothing runs but
 * reads and searches, so the checkout needs no container.
 */
export class AskJobHandler implements JobHandler<AskPayload> {
  readonly #deps: AskJobDeps;

  constructor(deps: AskJobDeps) {
    this.#deps = deps;
  }

  async run(job: Job<AskPayload>, context: JobContext): Promise<"succeeded" | "cancelled"> {
    const payload = job.payload;
    const { repository: repo, issue, comment } = payload;
    const forge = await this.#deps.forges.open(repo.address);
    const gate = await passGate(
      forge,
      { repository: repo, comment: { ...comment, issueNumber: issue.number }, log: this.#deps.log },
      job,
      context,
    );
    if (!gate.pass) return "succeeded";
    let question = payload.text.trim();
    if (payload.mode === "explain") {
      const target = parseExplainTarget(question);
      if (!target) {
        await forge.createComment(
          repo,
          issue.number,
          "Tell me what to explain: `/coder explain path/to/file.ts` or `/coder explain path/to/file.ts:10-40`.",
        );
        return "succeeded";
      }
      question = explainQuestion(target, target.rest);
    } else if (question === "") {
      await forge.createComment(repo, issue.number, "Ask me something after the command: `/coder ask where are webhooks verified?`");
      return "succeeded";
    }
    const repoKey = repoKeyOf(repo);
    const extraRefs = issue.isPullRequest ? [`refs/pull/${issue.number}/head`] : [];
    const gitDir = await this.#deps.mirrors.fetch({ repoKey, cloneUrl: repo.cloneUrl, token: await forge.gitToken(), extraRefs });
    const ref = issue.isPullRequest
      ? (await forge.getPullRequest(repo, issue.number)).head.sha
      : `refs/remotes/origin/${repo.defaultBranch}`;
    const resolved = await runGit(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd: gitDir, allowFailure: true });
    if (resolved.exitCode !== 0) throw new Error(`${ref} is not in the repository`);
    const commit = resolved.stdout.trim();
    const worktree = await this.#deps.worktrees.add(gitDir, commit, `ask-${job.id}`);
    try {
      const index = this.#deps.codeIndex;
      const searchable = index && index.ready(repoKey, repo.defaultBranch) ? index : null;
      const answer = await answerQuestion({
        provider: this.#deps.provider,
        ...(this.#deps.toolMode ? { toolMode: this.#deps.toolMode } : {}),
        root: worktree.dir,
        runner: new HostRunner(worktree.dir),
        repoFullName: fullNameOf(repo),
        question,
        context: searchable
          ? indexContext(
              await searchable.contextFor(repoKey, repo.defaultBranch, question, 2_000, context.signal).catch(() => ""),
              repo.defaultBranch,
              issue.isPullRequest,
            )
          : "",
        ...(searchable ? { codeSearch: searchable.searcher(repoKey, repo.defaultBranch, context.signal) } : {}),
        link: (path, start, end) => forge.fileLink(repo, commit, path, start, end),
        signal: context.signal,
        runs: { store: this.#deps.runs, jobId: job.id, repoKey },
      });
      const header =
        payload.mode === "ask" ? `> ${payload.text.trim().split("\n")[0]}` : `> /coder explain ${payload.text.trim().split("\n")[0]}`;
      await forge.createComment(
        repo,
        issue.number,
        `${header}\n\n${answer.text}\n\n<sub>Answered from ${issue.isPullRequest ? "this pull request's head" : `\`${repo.defaultBranch}\``} with ${this.#deps.provider.label}${answer.runId !== null ? ` · run ${answer.runId}` : ""}.</sub>`,
      );
      return "succeeded";
    } catch (error) {
      if (context.signal.aborted) return "cancelled";
      throw error;
    } finally {
      await this.#deps.worktrees.remove(gitDir, worktree.dir);
    }
  }

  async giveUp(job: Job<AskPayload>, reason: string): Promise<void> {
    const { repository, issue } = job.payload;
    const forge = await this.#deps.forges.open(repository.address);
    await forge.createComment(repository, issue.number, `I could not answer: ${reason}`);
  }
}

/** The index holds the default branch; on a pull request the checkout is its head, which may differ. */
function indexContext(text: string, branch: string, pullRequest: boolean): string {
  if (!text) return "";
  return `Code that may be relevant, from the index of \`${branch}\`${pullRequest ? " (this pull request may have changed it)" : ""}; read the files to be sure:\n\n${text}`;
}
