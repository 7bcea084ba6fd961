import type { RepoConfig } from "../config/repo-config.js";
import type { ChangedFile, PullRequestInfo, ReviewEvent } from "../forge/forge.js";
import type { ForgeWriter } from "../forge/forge-writer.js";
import type { Forges } from "../forge/forges.js";
import { fullNameOf, repoKeyOf, type Repository } from "../forge/repository.js";
import { ReviewRejectedError } from "../forge/review-rejected-error.js";
import type { CodeIndex } from "../index/code-index.js";
import type { LlmProvider } from "../llm/types.js";
import { passGate } from "../jobs/gate.js";
import type { Job, JobContext, JobHandler } from "../jobs/job.js";
import type { Logger } from "../jobs/logger.js";
import type { ReviewPayload } from "../jobs/payloads/review-payload.js";
import { conductReview } from "./conduct-review.js";
import { DiffLineMap } from "../diff/line-map.js";
import { parsePullRequestFile } from "../diff/parse-patch.js";
import type { DiffFile } from "../diff/types.js";
import { findingMarker } from "./finding-marker.js";
import { noPlacement, placeFindings, type Placement } from "./place-findings.js";
import { readPriorReviews, type PriorReviews } from "./prior-reviews.js";
import { renderReviewBody } from "./render-review.js";
import type { ReviewHistory } from "./review-history.js";
import { runReviewTests, type ReviewTestDeps } from "./review-tests.js";

export interface ReviewJobDeps {
  readonly forges: Forges;
  readonly provider: LlmProvider;
  readonly history: ReviewHistory;
  readonly codeIndex?: CodeIndex | null;
  /** For `review.runTests`; without them the setting is reported as unavailable. */
  readonly tests?: ReviewTestDeps;
  readonly log: Logger;
}

/**
 * Reviews a pull request's head once: the whole change the first time, and after a push only what
 * the push changed, never repeating a finding posted before nor one on a subject people answered
 * or resolved. What was posted is known from the bot's own records and from the pull request
 * itself (markers in what the bot wrote), so a lost data directory repeats nothing either. The
 * review is one COMMENT (approving or requesting changes only where the repository allows it)
 * with inline comments on lines of the diff and a summary that holds everything else.
 */
export class ReviewJobHandler implements JobHandler<ReviewPayload> {
  readonly #deps: ReviewJobDeps;

  constructor(deps: ReviewJobDeps) {
    this.#deps = deps;
  }

  async run(job: Job<ReviewPayload>, context: JobContext): Promise<"succeeded" | "cancelled"> {
    const payload = job.payload;
    const { repository: repo, number, comment } = payload;
    const forge = await this.#deps.forges.open(repo.address);
    const gate = await passGate(
      forge,
      { repository: repo, comment: comment ? { ...comment, issueNumber: number } : null, log: this.#deps.log },
      job,
      context,
    );
    if (!gate.pass) return "succeeded";
    const { config } = gate;
    let pr: PullRequestInfo;
    try {
      pr = await forge.getPullRequest(repo, number);
    } catch (error) {
      // Only "no such pull request" means the number is an issue's (a job queued before commands
      // were checked for a pull request when given); anything else is retried.
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
    const alreadyReviewed = async () => {
      if (comment)
        await forge.createComment(repo, number, `I already reviewed ${head.slice(0, 7)}; push a new commit and I review what it changes.`);
      return "succeeded" as const;
    };
    if (!this.#deps.history.claimHead(repoKey, number, head)) return alreadyReviewed();
    try {
      const prior = await this.#priorReviews(forge, repo, number);
      if (prior.reviewedHeads.has(head)) {
        // Posted by this bot before its state was lost (a new data directory): the pull request remembers.
        this.#deps.log.info({ repo: repoKey, number, head }, "head already reviewed on the pull request");
        return await alreadyReviewed();
      }
      await this.#review(forge, payload, pr, config, automatic, prior, context.signal);
      return "succeeded";
    } catch (error) {
      this.#deps.history.releaseHead(repoKey, number, head);
      if (context.signal.aborted) return "cancelled";
      throw error;
    }
  }

  async #review(
    forge: ForgeWriter,
    payload: ReviewPayload,
    pr: PullRequestInfo,
    config: RepoConfig,
    automatic: boolean,
    prior: PriorReviews,
    signal: AbortSignal,
  ): Promise<void> {
    const { repository: repo, number } = payload;
    const repoKey = repoKeyOf(repo);
    const head = pr.head.sha;
    const { files, incrementalFrom } = await this.#changes(forge, repo, pr, prior);
    const { parsed: diffFiles, unreadable } = parseChangedFiles(files);
    const changedLines = diffFiles.reduce((n, f) => n + f.additions + f.deletions, 0);
    if (automatic && changedLines > config.review.maxDiffLines) {
      await forge.createComment(
        repo,
        number,
        `This pull request changes ${changedLines} lines, more than the ${config.review.maxDiffLines} I review on my own (\`review.maxDiffLines\`). Comment \`/coder review\` and I review the most important files within my budget.`,
      );
      // Nothing was reviewed: the head stays free for `/coder review`.
      this.#deps.history.releaseHead(repoKey, number, head);
      return;
    }
    const guidance = [
      config.review.instructions,
      (await forge.getFile(repo, "CONTRIBUTING.md", repo.defaultBranch).catch(() => null))?.slice(0, 3_000) ?? "",
    ]
      .filter(Boolean)
      .join("\n\n");
    const { plan, review, wholeFiles, codeAt } = await conductReview({
      provider: this.#deps.provider,
      config,
      files: diffFiles,
      unreadable,
      repoFullName: fullNameOf(repo),
      number,
      title: pr.title,
      body: pr.body,
      incrementalFrom,
      guidance,
      index: this.#deps.codeIndex
        ? { codeIndex: this.#deps.codeIndex, repoKey, tag: repo.defaultBranch, source: "the default branch" }
        : null,
      onIndexError: (error) => this.#deps.log.warn({ err: error }, "the code index could not be used for the review"),
      readAtHead: (path) => forge.getFile(repo, path, head).catch(() => null),
      signal,
    });
    const model = this.#deps.provider.label;
    if (review === null) {
      const id = await forge.createReview(repo, number, {
        commitId: head,
        event: "COMMENT",
        body: renderReviewBody({
          walkthrough: "Nothing in this change is reviewable code.",
          placement: noPlacement(),
          plan,
          headSha: head,
          incrementalFrom,
          model,
        }),
        comments: [],
      });
      this.#deps.history.recordReview(repoKey, number, head, id, []);
      return;
    }
    const test = config.review.runTests ? await this.#tests(forge, payload, head, config, signal) : null;
    const map = DiffLineMap.from(diffFiles);
    // An incremental review's map shows only the push; fingerprints need the code from the whole pull request.
    const codeMap = incrementalFrom
      ? DiffLineMap.from(parseChangedFiles(await forge.listPullRequestFiles(repo, number)).parsed)
      : undefined;
    const posted = new Set([...this.#deps.history.postedFingerprints(repoKey, number), ...prior.posted]);
    const placement = placeFindings(review.findings, map, {
      posted,
      discussed: prior.discussed,
      maxInline: config.review.maxFindings,
      codeAt,
      ...(codeMap ? { codeMap } : {}),
    });
    const walkthrough = review.unreadable
      ? `I could not read the model's review (${review.unreadable}), so there are no findings this time.`
      : review.summary;
    const render = (placed: Placement) =>
      renderReviewBody({ walkthrough, placement: placed, plan, headSha: head, incrementalFrom, model, test, markFindings: true });
    const event = reviewEvent(config, placement, pr);
    let id: number;
    try {
      id = await forge.createReview(repo, number, {
        commitId: head,
        event,
        body: render(placement),
        comments: placement.inline.map((c) => ({
          path: c.path,
          line: c.line,
          side: c.side,
          ...(c.startLine !== undefined ? { startLine: c.startLine, startSide: c.side } : {}),
          body: `${c.body}\n\n${findingMarker(c)}`,
        })),
      });
    } catch (error) {
      if (!(error instanceof ReviewRejectedError && error.reason === "unresolved-position")) throw error;
      // The forge disagreed with the line map; the findings still reach the author, in the summary.
      this.#deps.log.warn({ errors: error.errors }, "inline comments refused; posting them in the summary");
      const moved: Placement = {
        ...placement,
        inline: [],
        summaryOnly: [
          ...placement.inline.map((c) => ({
            finding: c.finding,
            why: "the forge refused the line",
            fingerprint: c.fingerprint,
            topic: c.topic,
          })),
          ...placement.summaryOnly,
        ],
      };
      id = await forge.createReview(repo, number, { commitId: head, event, body: render(moved), comments: [] });
    }
    const record = [
      ...placement.inline.map((c) => ({ fingerprint: c.fingerprint, headSha: head, path: c.path, line: c.line, title: c.finding.title })),
      ...placement.summaryOnly.map((s) => ({
        fingerprint: s.fingerprint,
        headSha: head,
        path: s.finding.path,
        line: s.finding.line,
        title: s.finding.title,
      })),
    ];
    this.#deps.history.recordReview(repoKey, number, head, id, record);
    this.#deps.log.info(
      {
        repo: repoKey,
        number,
        head,
        inline: placement.inline.length,
        summary: placement.summaryOnly.length,
        repeated: placement.repeated,
        discussed: placement.discussed,
        wholeFiles: wholeFiles.length,
        dropped: review.dropped.length,
      },
      "review posted",
    );
  }

  /** What the pull request shows of earlier reviews; resolved threads only where the forge can tell (GitHub's GraphQL API). */
  async #priorReviews(forge: ForgeWriter, repo: Repository, number: number): Promise<PriorReviews> {
    const [reviews, comments] = await Promise.all([forge.listReviews(repo, number), forge.listReviewComments(repo, number)]);
    const resolvedThreads = await forge.resolvedReviewThreads(repo, number).catch((error: unknown) => {
      // Answered threads and every posted finding are still known; only resolution is missed.
      this.#deps.log.warn({ err: error }, "could not read which review threads are resolved");
      return new Set<number>();
    });
    return readPriorReviews({ reviews, comments, resolvedThreads });
  }

  /** The whole pull request, or only what came since the last reviewed head when that is an ancestor of this one. */
  async #changes(
    forge: ForgeWriter,
    repo: Repository,
    pr: PullRequestInfo,
    prior: PriorReviews,
  ): Promise<{ files: readonly ChangedFile[]; incrementalFrom: string | null }> {
    const repoKey = repoKeyOf(repo);
    // The pull request's own newest review first: a data directory restored from a backup remembers an older one.
    const last = prior.lastReviewedHead ?? this.#deps.history.lastReviewedHead(repoKey, pr.number);
    if (last && last !== pr.head.sha) {
      const comparison = await forge.compareCommits(repo, last, pr.head.sha);
      if (comparison.kind === "compared" && comparison.status === "ahead" && !comparison.mayBeIncomplete)
        return { files: comparison.files, incrementalFrom: last };
      // A force push (the old head is gone or no longer below the new one): review everything, repeating nothing.
    }
    return { files: await forge.listPullRequestFiles(repo, pr.number), incrementalFrom: null };
  }

  async #tests(forge: ForgeWriter, payload: ReviewPayload, head: string, config: RepoConfig, signal: AbortSignal): Promise<string> {
    if (!this.#deps.tests) return "not run: this bot has no workspace runner for reviews.";
    const { repository: repo, number } = payload;
    return runReviewTests(this.#deps.tests, {
      repoKey: repoKeyOf(repo),
      cloneUrl: repo.cloneUrl,
      token: await forge.gitToken(),
      number,
      headSha: head,
      config,
      name: `review-${number}-${head.slice(0, 7)}`,
      signal,
    });
  }

  async giveUp(job: Job<ReviewPayload>, reason: string): Promise<void> {
    const { repository, number, comment } = job.payload;
    if (!comment) return;
    const forge = await this.#deps.forges.open(repository.address);
    await forge.createComment(repository, number, `I could not review this pull request: ${reason}`);
  }
}

/** The forge's files as diffs; a file whose patch cannot be read is named in the summary instead. */
function parseChangedFiles(files: readonly ChangedFile[]): { parsed: DiffFile[]; unreadable: Array<{ path: string; reason: string }> } {
  const parsed: DiffFile[] = [];
  const unreadable: Array<{ path: string; reason: string }> = [];
  for (const f of files) {
    try {
      parsed.push(
        parsePullRequestFile({
          path: f.path,
          previousPath: f.previousPath,
          status: f.status,
          patch: f.patch,
          additions: f.additions,
          deletions: f.deletions,
        }),
      );
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
