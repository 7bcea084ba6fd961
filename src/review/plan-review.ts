import { estimateCounter } from "../llm/tokens/token-counter.js";
import { generatedByName, minifiedByName } from "../index/scan/generated.js";
import { detectLanguage } from "../index/scan/language.js";
import { makePathFilter } from "../index/scan/path-filter.js";
import { vendoredBy } from "../index/scan/vendored.js";
import { numberedPatch } from "../diff/numbered-patch.js";
import type { DiffFile } from "../diff/types.js";

export interface ReviewPlan {
  /** The files the model sees, most important first, with their numbered patches. */
  readonly reviewed: ReadonlyArray<{ readonly file: DiffFile; readonly patch: string }>;
  /** Files left out, each with why: named in the summary. */
  readonly skipped: ReadonlyArray<{ readonly path: string; readonly reason: string }>;
  /** Added plus deleted lines over every file of the change. */
  readonly changedLines: number;
}

/**
 * Chooses what a review looks at within a token budget: files the repository excludes, lock files,
 * generated and vendored files and files without a diff are left out; the rest go in order of
 * importance (source code, then tests, then configuration and docs; larger changes first) until
 * the budget is spent, and whatever does not fit is named rather than silently dropped.
 */
export function planReview(
  files: readonly DiffFile[],
  options: { readonly include: readonly string[]; readonly exclude: readonly string[]; readonly budgetTokens: number },
): ReviewPlan {
  const filter = makePathFilter(options.include, options.exclude);
  const skipped: Array<{ path: string; reason: string }> = [];
  const candidates: DiffFile[] = [];
  for (const file of files) {
    const reason = file.binary
      ? "binary"
      : file.patchOmitted
        ? "the diff is too large to show"
        : file.status === "removed"
          ? "removed"
          : file.hunks.length === 0
            ? "no changed lines"
            : (filter(file.path) ?? generatedByName(file.path) ?? vendoredBy(file.path) ?? (minifiedByName(file.path) ? "minified" : null));
    if (reason) skipped.push({ path: file.path, reason });
    else candidates.push(file);
  }
  candidates.sort(
    (a, b) => importance(a) - importance(b) || b.additions + b.deletions - (a.additions + a.deletions) || a.path.localeCompare(b.path),
  );
  const reviewed: Array<{ file: DiffFile; patch: string }> = [];
  let used = 0;
  for (const file of candidates) {
    const patch = numberedPatch(file);
    const cost = estimateCounter.count(patch) + 20;
    if (used + cost > options.budgetTokens) {
      skipped.push({ path: file.path, reason: "over the review's size budget" });
      continue;
    }
    reviewed.push({ file, patch });
    used += cost;
  }
  return { reviewed, skipped, changedLines: files.reduce((n, f) => n + f.additions + f.deletions, 0) };
}

/** Lower is reviewed first. */
function importance(file: DiffFile): number {
  const path = file.path.toLowerCase();
  if (/(^|\/)(test|tests|__tests__|spec)\//.test(path) || /\.(test|spec)\.[a-z]+$/.test(path) || /_test\.(go|py)$/.test(path)) return 1;
  const language = detectLanguage(file.path);
  if (language === null || ["Markdown", "Text", "reStructuredText", "AsciiDoc"].includes(language)) return 3;
  if (["JSON", "YAML", "TOML", "INI", "XML", "Ignore List", "Git Attributes", "EditorConfig"].includes(language)) return 2;
  return 0;
}
