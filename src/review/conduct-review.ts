import type { RepoConfig } from "../config/repo-config.js";
import type { CodeIndex } from "../index/code-index.js";
import type { CodeChange } from "../index/related-code.js";
import { estimateCounter } from "../llm/tokens/token-counter.js";
import type { LlmProvider } from "../llm/types.js";
import { askForReview, type ModelReview } from "./ask-for-review.js";
import { changedSymbols } from "./changed-symbols.js";
import type { DiffFile } from "../diff/types.js";
import { fullFilesWithin } from "./full-files.js";
import { planReview, type ReviewPlan } from "./plan-review.js";
import { reviewSystemPrompt, reviewTaskPrompt } from "./review-prompt.js";

/** Of the model's window, what the diff may take; the rest is instructions, context and the reply. */
const DIFF_SHARE = 0.5;
/** The most of the window the changed files whole may take. */
const WHOLE_FILES_SHARE = 0.25;
/** Left free of the window for the chat template and counting error. */
const MARGIN_TOKENS = 256;
/** Related code from the index, in tokens. */
const RELATED_TOKENS = 1_500;

/** The index a review looks related code up in. */
export interface ReviewIndex {
  readonly codeIndex: CodeIndex;
  readonly repoKey: string;
  readonly tag: string;
  /** Where the indexed code comes from, named in the prompt ("the default branch"); unnamed when absent. */
  readonly source?: string;
}

export interface ConductedReview {
  /** What was reviewed and what was not; `unreadable` files are among the skipped. */
  readonly plan: ReviewPlan;
  /** Null when nothing in the change is reviewable: the model was not asked. */
  readonly review: ModelReview | null;
  /** The files the model saw whole, beside their diffs. */
  readonly wholeFiles: readonly string[];
  /** The changed files' lines at the head, where they were read: the code a finding off the diff is about. */
  readonly codeAt: (path: string, start: number, end: number) => string | null;
}

/**
 * One review from a parsed diff, the same for a pull request and a local range: plan the files
 * within half the window, then give what the reply and the prompt leave (up to a quarter of the
 * window) to the changed files whole, and ask the model for findings.
 */
export async function conductReview(params: {
  readonly provider: LlmProvider;
  readonly config: RepoConfig;
  readonly files: readonly DiffFile[];
  /** Files whose diff could not be read, named in the summary. */
  readonly unreadable?: ReadonlyArray<{ readonly path: string; readonly reason: string }>;
  readonly repoFullName: string;
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly incrementalFrom: string | null;
  /** The repository's review instructions (coder.yml and CONTRIBUTING). */
  readonly guidance: string;
  /** Where related code is looked up; none without an index, or before its first complete run. */
  readonly index?: ReviewIndex | null;
  /** Told when the index fails, and the review goes on without related code; without it the failure is thrown. */
  readonly onIndexError?: (error: unknown) => void;
  /** A file's content at the head; null when it cannot be read. */
  readonly readAtHead: (path: string) => Promise<string | null>;
  readonly signal: AbortSignal;
}): Promise<ConductedReview> {
  const { provider, config, signal } = params;
  const info = await provider.describe(signal);
  const planned = planReview(params.files, {
    include: config.review.include,
    exclude: config.review.exclude,
    budgetTokens: Math.floor(info.contextSize * DIFF_SHARE),
  });
  const plan: ReviewPlan = { ...planned, skipped: [...planned.skipped, ...(params.unreadable ?? [])] };
  if (plan.reviewed.length === 0) return { plan, review: null, wholeFiles: [], codeAt: () => null };
  const reviewed = plan.reviewed.map((r) => r.file);
  const related = await relatedCodeFor(params.index, params.onIndexError, signal, {
    query: `${params.title}\n${reviewed.map((file) => file.hunks.map((h) => h.section).join(" ")).join(" ")}`,
    ...changedSymbols(reviewed),
    // A renamed file's old path too: the default branch still has it there.
    changedPaths: new Set(params.files.flatMap((file) => (file.previousPath ? [file.path, file.previousPath] : [file.path]))),
  });
  const system = reviewSystemPrompt({ maxFindings: config.review.maxFindings, instructions: params.guidance });
  const task = (wholeFiles: string) =>
    reviewTaskPrompt({
      repoFullName: params.repoFullName,
      number: params.number,
      title: params.title,
      body: params.body,
      plan,
      incrementalFrom: params.incrementalFrom,
      context: related,
      wholeFiles,
    });
  const maxTokens = Math.min(4_096, Math.floor(info.contextSize / 4));
  // Whole files are context, not the review: they get what is left, but never more than a share of
  // the window, since a small model on a CPU reads a long prompt slowly and a diff of three lines
  // does not need 25,000 tokens around it.
  const left = info.contextSize - maxTokens - MARGIN_TOKENS - estimateCounter.count(system) - estimateCounter.count(task(""));
  const budgetTokens = Math.min(left, Math.floor(info.contextSize * WHOLE_FILES_SHARE));
  const whole =
    budgetTokens > 0
      ? await fullFilesWithin({ files: reviewed, read: params.readAtHead, budgetTokens })
      : { text: "", included: [], contents: new Map<string, string>() };
  const review = await askForReview(provider, system, task(whole.text), { maxTokens, signal });
  const codeAt = (path: string, start: number, end: number): string | null => {
    const lines = whole.contents.get(path)?.split("\n");
    return lines && start >= 1 && end <= lines.length ? lines.slice(start - 1, end).join("\n") : null;
  };
  return { plan, review, wholeFiles: whole.included, codeAt };
}

async function relatedCodeFor(
  index: ReviewIndex | null | undefined,
  onError: ((error: unknown) => void) | undefined,
  signal: AbortSignal,
  change: CodeChange,
): Promise<string> {
  if (!index || !index.codeIndex.ready(index.repoKey, index.tag)) return "";
  try {
    const text = await index.codeIndex.relatedCode(index.repoKey, index.tag, change, RELATED_TOKENS, signal);
    return text ? `Related code${index.source ? ` from ${index.source}` : ""} (for context; review only the diff).\n\n${text}` : "";
  } catch (error) {
    if (!onError) throw error;
    onError(error);
    return "";
  }
}
