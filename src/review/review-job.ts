import type { RepoConfig } from "../config/repo-config.js";
import { repoKeyOf } from "../fix/fix-payload.js";
import { ReviewRejectedError, type ChangedFile, type Forge, type PullRequestInfo, type ReviewEvent } from "../forge/forge.js";
import type { CodeIndex } from "../index/code-index.js";
import type { LlmProvider } from "../llm/types.js";
import type { Job } from "../queue/job.js";
import type { JobContext, JobHandler, Logger } from "../queue/worker-pool.js";
import { passGate } from "../triggers/command-gate.js";
import { askForReview } from "./ask-for-review.js";
import { DiffLineMap } from "./diff/line-map.js";
import { parsePullRequestFile } from "./diff/parse-patch.js";
import type { DiffFile } from "./diff/types.js";
import { placeFindings, type Placement } from "./place-findings.js";
import { planReview } from "./plan-review.js";
import { renderReviewBody } from "./render-review.js";
import type { ReviewHistory } from "./review-history.js";
import type { ReviewJobPayload } from "./review-payload.js";
import { runReviewTests, type ReviewTestDeps } from "./review-tests.js";
import { reviewSystemPrompt, reviewTaskPrompt } from "./review-prompt.js";

export interface ReviewJobDeps {
  readonly forgeFor: (installationId: number | null) => Promise<Forge>;
  readonly provider: LlmProvider;
  readonly history: ReviewHistory;
  readonly codeIndex?: CodeIndex | null;
  /** For `review.runTests`; without them the setting is reported as unavailable. */
  readonly tests?: ReviewTestDeps;
  readonly log: Logger;
}

/** Of the model's window, what the diff may take; the rest is instructions, context and the reply. */
const DIFF_SHARE = 0.5;
const CONTEXT_TOKENS = 1_500;

/**
 * Reviews a pull request's head once: the whole change the first time, and after a push only what
 * the push changed, never repeating a finding posted before. The review is one COMMENT (approving
 * or requesting changes only where the repository allows it) with inline comments on lines of the
 * diff and a summary that holds everything else.
 */
export class ReviewJobHandler implements JobHandler {
  readonly #deps: ReviewJobDeps;

  constructor(deps: ReviewJobDeps) {
    this.#deps = deps;
  }

  async run(job: Job, context: JobContext): Promise<"succeeded" | "cancelled"> {
    const payload = job.payload as ReviewJobPayload;
    const { repo, number, comment } = payload;
    const forge = await this.#deps.forgeFor(payload.installationId);
    const gate = await passGate(forge, repo, comment ? { ...comment, issueNumber: number } : null, "review");
    if (gate.kind === "stop") return "succeeded";
    const { config } = gate;
    let pr: PullRequestInfo;
    try {
      pr = await forge.getPullRequest(repo, number);
    } catch (error) {
      // Only "no such pull request" means the command was given on an issue; anything else is retried.
      if ((error as { status?: number }).status !== 404) throw error;
      if (comment) await forge.createComment(repo, number, "`/coder review` works on pull requests; this is an issue.");
      return "succeeded";
    }
    const automatic = payload.reason !== "command";
    const skip = automatic ? automaticSkip(config, pr) : pr.state !== "open" ? "the pull request is closed" : null;
    if (skip) {
      this.#deps.log.info({ repo: repoKeyOf(repo), number, why: skip }, "review skipped");
      if (comment) await forge.createComment(repo, number, `I did not review: ${skip}.`);
      return "succeeded";
    }
    const repoKey = repoKeyOf(repo);
    const head = pr.head.sha;
    if (!this.#deps.history.claimHead(repoKey, number, head)) {
      if (comment) await forge.createComment(repo, number, `I already reviewed ${head.slice(0, 7)}; push a new commit and I review what it changes.`);
      return "succeeded";
    }
    try {
      await this.#review(forge, payload, pr, config, automatic, context.signal);
      return "succeeded";
    } catch (error) {
      this.#deps.history.releaseHead(repoKey, number, head);
      if (context.signal.aborted) return "cancelled";
      throw error;
    }
  }

  async #review(forge: Forge, payload: ReviewJobPayload, pr: PullRequestInfo, config: RepoConfig, automatic: boolean, signal: AbortSignal): Promise<void> {
    const { repo, number } = payload;
    const repoKey = repoKeyOf(repo);
    const head = pr.head.sha;
    const { files, incrementalFrom } = await this.#changes(forge, repo, pr);
    const { parsed: diffFiles, unreadable } = parseChangedFiles(files);
    const changedLines = diffFiles.reduce((n, f) => n + f.additions + f.deletions, 0);
    if (automatic && changedLines > config.review.maxDiffLines) {
      await forge.createComment(repo, number, `This pull request changes ${changedLines} lines, more than the ${config.review.maxDiffLines} I review on my own (\`review.maxDiffLines\`). Comment \`/coder review\` and I review the most important files within my budget.`);
      // Nothing was reviewed: the head stays free for `/coder review`.
      this.#deps.history.releaseHead(repoKey, number, head);
      return;
    }
    const info = await this.#deps.provider.describe(signal);
    const plan = planReview(diffFiles, { include: config.review.include, exclude: config.review.exclude, budgetTokens: Math.floor(info.contextSize * DIFF_SHARE) });
    const fullPlan = { ...plan, skipped: [...plan.skipped, ...unreadable] };
    if (plan.reviewed.length === 0) {
      const id = await forge.createReview(repo, number, { commitId: head, event: "COMMENT", body: renderReviewBody({ walkthrough: "Nothing in this change is reviewable code.", placement: { inline: [], summaryOnly: [], repeated: 0 }, plan: fullPlan, headSha: head, incrementalFrom, model: this.#deps.provider.label }), comments: [] });
      this.#deps.history.recordReview(repoKey, number, head, id, []);
      return;
    }
    const guidance = [config.review.instructions, (await forge.getFile(repo, "CONTRIBUTING.md", repo.defaultBranch).catch(() => null))?.slice(0, 3_000) ?? ""].filter(Boolean).join("\n\n");
    const related = await this.#relatedCode(repoKey, repo.defaultBranch, `${pr.title}\n${plan.reviewed.map((r) => r.file.hunks.map((h) => h.section).join(" ")).join(" ")}`, signal);
    const review = await askForReview(
      this.#deps.provider,
      reviewSystemPrompt({ maxFindings: config.review.maxFindings, instructions: guidance }),
      reviewTaskPrompt({ repoFullName: `${repo.owner}/${repo.repo}`, number, title: pr.title, body: pr.body, plan: fullPlan, incrementalFrom, context: related }),
      { maxTokens: Math.min(4_096, Math.floor(info.contextSize / 4)), signal },
    );
    const test = config.review.runTests ? await this.#tests(forge, payload, head, config, signal) : null;
    const map = DiffLineMap.from(diffFiles);
    // An incremental review's map shows only the push; fingerprints need the code from the whole pull request.
    const codeMap = incrementalFrom ? DiffLineMap.from(parseChangedFiles(await forge.listPullRequestFiles(repo, number)).parsed) : undefined;
    const placement = placeFindings(review.findings, map, { posted: this.#deps.history.postedFingerprints(repoKey, number), maxInline: config.review.maxFindings, ...(codeMap ? { codeMap } : {}) });
    const walkthrough = review.unreadable ? `I could not read the model's review (${review.unreadable}), so there are no findings this time.` : review.summary;
    const body = renderReviewBody({ walkthrough, placement, plan: fullPlan, headSha: head, incrementalFrom, model: this.#deps.provider.label, test });
    const event = reviewEvent(config, placement, pr);
    let id: number;
    try {
      id = await forge.createReview(repo, number, { commitId: head, event, body, comments: placement.inline.map((c) => ({ path: c.path, line: c.line, side: c.side, ...(c.startLine !== undefined ? { startLine: c.startLine, startSide: c.side } : {}), body: c.body })) });
    } catch (error) {
      if (!(error instanceof ReviewRejectedError && error.reason === "unresolved-position")) throw error;
      // The forge disagreed with the line map; the findings still reach the author, in the summary.
      this.#deps.log.warn({ errors: error.errors }, "inline comments refused; posting them in the summary");
      const moved: Placement = { inline: [], summaryOnly: [...placement.inline.map((c) => ({ finding: c.finding, why: "the forge refused the line", fingerprint: c.fingerprint })), ...placement.summaryOnly], repeated: placement.repeated };
      id = await forge.createReview(repo, number, { commitId: head, event, body: renderReviewBody({ walkthrough, placement: moved, plan: fullPlan, headSha: head, incrementalFrom, model: this.#deps.provider.label, test }), comments: [] });
    }
    const posted = [...placement.inline.map((c) => ({ fingerprint: c.fingerprint, headSha: head, path: c.path, line: c.line, title: c.finding.title })), ...placement.summaryOnly.map((s) => ({ fingerprint: s.fingerprint, headSha: head, path: s.finding.path, line: s.finding.line, title: s.finding.title }))];
    this.#deps.history.recordReview(repoKey, number, head, id, posted);
    this.#deps.log.info({ repo: repoKey, number, head, inline: placement.inline.length, summary: placement.summaryOnly.length, repeated: placement.repeated, dropped: review.dropped.length }, "review posted");
  }

  /** The whole pull request, or only what came since the last reviewed head when that is an ancestor of this one. */
  async #changes(forge: Forge, repo: ReviewJobPayload["repo"], pr: PullRequestInfo): Promise<{ files: readonly ChangedFile[]; incrementalFrom: string | null }> {
    const repoKey = repoKeyOf(repo);
    const last = this.#deps.history.lastReviewedHead(repoKey, pr.number);
    if (last && last !== pr.head.sha) {
      const comparison = await forge.compareCommits(repo, last, pr.head.sha);
      if (comparison.kind === "compared" && comparison.status === "ahead" && !comparison.mayBeIncomplete) return { files: comparison.files, incrementalFrom: last };
      // A force push (the old head is gone or no longer below the new one): review everything, repeating nothing.
    }
    return { files: await forge.listPullRequestFiles(repo, pr.number), incrementalFrom: null };
  }

  async #tests(forge: Forge, payload: ReviewJobPayload, head: string, config: RepoConfig, signal: AbortSignal): Promise<string> {
    if (!this.#deps.tests) return "not run: this bot has no workspace runner for reviews.";
    const { repo, number } = payload;
    return runReviewTests(this.#deps.tests, { repoKey: repoKeyOf(repo), cloneUrl: repo.cloneUrl, token: await forge.gitToken(), number, headSha: head, config, name: `review-${number}-${head.slice(0, 7)}`, signal });
  }

  async #relatedCode(repoKey: string, tag: string, query: string, signal: AbortSignal): Promise<string> {
    const index = this.#deps.codeIndex;
    if (!index || !index.ready(repoKey, tag)) return "";
    try {
      const text = await index.contextFor(repoKey, tag, query, CONTEXT_TOKENS, signal);
      return text ? `Related code from the default branch (for context; review only the diff):\n\n${text}` : "";
    } catch (error) {
      this.#deps.log.warn({ err: error }, "the code index could not be used for the review");
      return "";
    }
  }

  async giveUp(job: Job, reason: string): Promise<void> {
    const payload = job.payload as ReviewJobPayload;
    if (!payload.comment) return;
    const forge = await this.#deps.forgeFor(payload.installationId);
    await forge.createComment(payload.repo, payload.number, `I could not review this pull request: ${reason}`);
  }
}

/** The forge's files as diffs; a file whose patch cannot be read is named in the summary instead. */
function parseChangedFiles(files: readonly ChangedFile[]): { parsed: DiffFile[]; unreadable: Array<{ path: string; reason: string }> } {
  const parsed: DiffFile[] = [];
  const unreadable: Array<{ path: string; reason: string }> = [];
  for (const f of files) {
    try {
      parsed.push(parsePullRequestFile({ path: f.path, previousPath: f.previousPath, status: f.status, patch: f.patch, additions: f.additions, deletions: f.deletions }));
    } catch (error) {
      unreadable.push({ path: f.path, reason: `its diff could not be read (${(error as Error).message})` });
    }
  }
  return { parsed, unreadable };
}

function automaticSkip(config: RepoConfig, pr: PullRequestInfo): string | null {
  if (!config.review.auto) return "automatic reviews are off (`review.auto: false`)";
  if (pr.state !== "open") return "the pull request is closed";
  if (pr.draft && !config.review.drafts) return "the pull request is a draft";
  if (pr.author.isBot && !config.review.botAuthors) return "the pull request was opened by a bot";
  return null;
}

function reviewEvent(config: RepoConfig, placement: Placement, pr: PullRequestInfo): ReviewEvent {
  const all = [...placement.inline.map((c) => c.finding), ...placement.summaryOnly.map((s) => s.finding)];
  if (config.review.requestChanges && all.some((f) => f.severity === "critical")) return "REQUEST_CHANGES";
  if (config.review.approve && !all.some((f) => f.severity === "critical" || f.severity === "major") && !pr.author.isBot) return "APPROVE";
  return "COMMENT";
}
