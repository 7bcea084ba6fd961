import { REPO_CONFIG_PATH } from "../config/repo-config.js";
import type { ForgeWriter } from "../forge/forge-writer.js";
import type { Forges } from "../forge/forges.js";
import { repoKeyOf } from "../forge/repository.js";
import { runGit } from "../git/run-git.js";
import type { CodeIndex } from "../index/code-index.js";
import type { IndexStats } from "../index/indexer.js";
import { summarizeSkipped } from "../index/scan/skip-summary.js";
import { passGate } from "../jobs/gate.js";
import type { Job, JobContext, JobHandler } from "../jobs/job.js";
import type { Logger } from "../jobs/logger.js";
import type { IndexPayload } from "../jobs/payloads/index-payload.js";
import type { MirrorCache } from "../workspace/mirror-cache.js";
import type { Worktrees } from "../workspace/worktrees.js";

export interface IndexJobDeps {
  readonly forges: Forges;
  readonly mirrors: MirrorCache;
  readonly worktrees: Worktrees;
  /** Null when the index is switched off: commands are answered with that. */
  readonly codeIndex: CodeIndex | null;
  readonly log: Logger;
}

/**
 * Brings the code index of a repository's default branch up to date: after a merge (a push to the
 * default branch), on `/coder index`, and on the periodic reconcile. Only changed files are
 * chunked and embedded; an interrupted run resumes on the next.
 */
export class IndexJobHandler implements JobHandler<IndexPayload> {
  readonly #deps: IndexJobDeps;
  /** Index jobs do not hold the repository's lock (a long index must not block fixes), so runs of one repository take turns here. */
  readonly #running = new Map<string, Promise<unknown>>();

  constructor(deps: IndexJobDeps) {
    this.#deps = deps;
  }

  async run(job: Job<IndexPayload>, context: JobContext): Promise<"succeeded" | "cancelled"> {
    const payload = job.payload;
    const { repository: repo, comment } = payload;
    const forge = await this.#deps.forges.open(repo.address);
    const gate = await passGate(forge, { repository: repo, comment: comment ?? null, log: this.#deps.log }, job, context);
    if (!gate.pass) return "succeeded";
    const { config } = gate;
    const codeIndex = this.#deps.codeIndex;
    if (!codeIndex) {
      if (comment) await forge.createComment(repo, comment.issueNumber, "The code index is switched off on this bot (`CODER_INDEX=off`).");
      return "succeeded";
    }
    if (!config.index.enabled) {
      if (comment)
        await forge.createComment(
          repo,
          comment.issueNumber,
          `The code index is switched off for this repository (\`index.enabled: false\` in \`${gate.configPath ?? REPO_CONFIG_PATH}\`).`,
        );
      return "succeeded";
    }
    const repoKey = repoKeyOf(repo);
    const before = this.#running.get(repoKey) ?? Promise.resolve();
    const turn = before.then(() => this.#indexOnce(job, context, payload, forge, config.index.include, config.index.exclude, codeIndex));
    const settled: Promise<unknown> = turn
      .catch(() => undefined)
      .then(() => {
        if (this.#running.get(repoKey) === settled) this.#running.delete(repoKey);
      });
    this.#running.set(repoKey, settled);
    return turn;
  }

  async #indexOnce(
    job: Job<IndexPayload>,
    context: JobContext,
    payload: IndexPayload,
    forge: ForgeWriter,
    include: readonly string[],
    exclude: readonly string[],
    codeIndex: CodeIndex,
  ): Promise<"succeeded" | "cancelled"> {
    const { repository: repo, comment } = payload;
    const repoKey = repoKeyOf(repo);
    const gitDir = await this.#deps.mirrors.fetch({ repoKey, cloneUrl: repo.cloneUrl, token: await forge.gitToken(), extraRefs: [] });
    const head = await runGit(["rev-parse", "--verify", "--quiet", `refs/remotes/origin/${repo.defaultBranch}^{commit}`], {
      cwd: gitDir,
      allowFailure: true,
    });
    if (head.exitCode !== 0) throw new Error(`the default branch ${repo.defaultBranch} is not in the repository`);
    const sha = head.stdout.trim();
    const worktree = await this.#deps.worktrees.add(gitDir, sha, `index-${job.id}`);
    let stats: IndexStats;
    try {
      stats = await codeIndex.index({
        repoKey,
        tag: repo.defaultBranch,
        root: worktree.dir,
        commitSha: sha,
        include,
        exclude,
        signal: context.signal,
      });
    } catch (error) {
      if (context.signal.aborted) return "cancelled";
      throw error;
    } finally {
      await this.#deps.worktrees.remove(gitDir, worktree.dir);
    }
    this.#deps.log.info({ repo: repoKey, sha, reason: payload.reason, ...summaryFigures(stats) }, "repository indexed");
    if (comment) await forge.createComment(repo, comment.issueNumber, indexReport(repo.defaultBranch, sha, stats));
    return "succeeded";
  }

  async giveUp(job: Job<IndexPayload>, reason: string): Promise<void> {
    const { repository, comment } = job.payload;
    if (!comment) return;
    const forge = await this.#deps.forges.open(repository.address);
    await forge.createComment(repository, comment.issueNumber, `I could not index the repository: ${reason}`);
  }
}

function summaryFigures(stats: IndexStats): Record<string, number> {
  return {
    files: stats.files,
    chunked: stats.chunked,
    unchanged: stats.unchanged,
    removed: stats.removed,
    chunks: stats.chunks,
    embedded: stats.embedded,
    ms: stats.durationMs,
  };
}

export function indexReport(branch: string, sha: string, stats: IndexStats): string {
  const lines = [
    `🗂️ Indexed \`${branch}\` at ${sha.slice(0, 7)} in ${(stats.durationMs / 1000).toFixed(1)} s: ${stats.files} files (${stats.chunked} new or changed, ${stats.unchanged} unchanged, ${stats.removed} removed), ${stats.chunks} chunks, ${stats.embedded} embedded (${stats.cached} from the cache).`,
  ];
  if (stats.skipped.length > 0) lines.push("", summarizeSkipped(stats.skipped));
  return lines.join("\n");
}
