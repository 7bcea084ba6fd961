/**
 * The diff layer of reviews on real diffs: this project's history (every commit against its parent)
 * and version-to-version diffs of packages installed twice in node_modules.
 *
 * Line mapping, three ways, each against git rather than against our own reading:
 * - content: every deleted/context line equals the old file at its mapped number, every
 *   added/context line the new file at its own, and `\ No newline` markers match how files end;
 * - sets: the commentable lines of each side equal the hunks git builds around its changes (read
 *   from its `--unified=1` output): changes at most 2×3 common lines apart share a hunk, with 3
 *   lines of context either side, cut at the file's ends;
 * - counts: additions and deletions per file equal `git diff --numstat`.
 * Every file is also read a second time from GitHub's shape of it (the hunks alone, no final
 * newline), which must give the same hunks.
 *
 * Review preparation: parsing, the line map, per-file summaries (the walkthrough line), the plan
 * with the prompt's numbered hunks, and the names related code is looked up by, for the corpus
 * diff nearest 2,000 changed lines, timed beside
 * `git diff` producing that diff.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { checkAgainstContent } from "../src/diff/check-against-content.js";
import { DiffParseError } from "../src/diff/diff-parse-error.js";
import { describeFile, summarizeFile } from "../src/diff/file-summary.js";
import { DiffLineMap, FileLineMap } from "../src/diff/line-map.js";
import { changedSymbols } from "../src/review/changed-symbols.js";
import { planReview } from "../src/review/plan-review.js";
import { parseGitDiff } from "../src/diff/parse-git-diff.js";
import { parsePullRequestFile, type PullRequestFileInput } from "../src/diff/parse-patch.js";
import { patchText } from "../src/diff/patch-text.js";
import type { DiffFile, Side } from "../src/diff/types.js";
import { nestedPackagePairs, parseCatFileBatch, rawPatches } from "../test/support/diff-corpus.js";
import { median, ms, onCleanup, ratio, runCleanups } from "./support.js";

export const PREPARATION_TARGET_MS = 1_000;
const TARGET_CHANGED_LINES = 2_000;
const CONTEXT = 3;
/** The first runs tier the JIT up and are left out of the median. */
const WARMUP_RUNS = 20;
const WARM_RUNS = 100;
const GIT_RUNS = 15;

const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const nodeModules = path.join(projectRoot, "node_modules");

interface CorpusDiff {
  readonly name: string;
  readonly kind: "history" | "package";
  /** The git arguments (after `git`) that produce the diff, run in `cwd`. */
  readonly args: readonly string[];
  readonly cwd: string;
  readonly text: string;
  readonly unified1: string;
  readonly numstat: readonly ({ additions: number; deletions: number } | null)[];
  readonly changedLines: number;
  /** Old and new contents of a parsed file; null for a side that does not exist. */
  readonly contents: (files: readonly DiffFile[]) => { old: string | null; new: string | null }[];
}

interface Tally {
  checked: number;
  mismatches: number;
  examples: string[];
}

export interface ReviewDiffResult {
  readonly corpus: {
    readonly history: number;
    readonly packages: number;
    readonly files: number;
    readonly textFiles: number;
    readonly hunks: number;
    readonly changedLines: number;
  };
  readonly content: Tally;
  readonly sets: Tally;
  readonly counts: Tally;
  readonly githubShape: Tally;
  /** Parsing, mapping and summaries for every diff of the corpus, one after another. */
  readonly corpusMs: number;
  readonly preparation: {
    readonly source: string;
    readonly files: number;
    readonly changedLines: number;
    readonly additions: number;
    readonly deletions: number;
    readonly coldMs: number;
    readonly medianMs: number;
    readonly githubMedianMs: number;
    readonly gitMedianMs: number;
    /** Warm median ÷ git's median. */
    readonly ratio: number;
    readonly coldRatio: number;
  };
  readonly targets: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
}

export function runReviewDiffBench(): ReviewDiffResult {
  const home = mkdtempSync(path.join(os.tmpdir(), "coder-bot-bench-diff-"));
  onCleanup(() => rmSync(home, { recursive: true, force: true }));
  const git = gitRunner(home);

  // Gather every diff before anything is parsed, so that the first timed preparation runs cold.
  const corpus = [...historyDiffs(git), ...packageDiffs(git)];
  const history = corpus.filter((d) => d.kind === "history").length;
  console.log(`corpus: ${history} commits of this repository, ${corpus.length - history} package version pairs from node_modules`);

  const chosen = corpus.reduce((best, d) =>
    Math.abs(d.changedLines - TARGET_CHANGED_LINES) < Math.abs(best.changedLines - TARGET_CHANGED_LINES) ? d : best,
  );
  const preparation = timePreparation(chosen, git);

  const content: Tally = { checked: 0, mismatches: 0, examples: [] };
  const sets: Tally = { checked: 0, mismatches: 0, examples: [] };
  const counts: Tally = { checked: 0, mismatches: 0, examples: [] };
  const githubShape: Tally = { checked: 0, mismatches: 0, examples: [] };
  let files = 0;
  let textFiles = 0;
  let hunks = 0;
  let changedLines = 0;
  for (const diff of corpus) {
    const miss = (tally: Tally, what: string) => {
      tally.mismatches++;
      if (tally.examples.length < 5) tally.examples.push(`${diff.name}: ${what}`);
    };
    let parsed: DiffFile[];
    try {
      parsed = parseGitDiff(diff.text);
    } catch (error) {
      if (!(error instanceof DiffParseError)) throw error;
      miss(counts, `not read: ${error.message}`);
      continue;
    }
    const contents = diff.contents(parsed);
    const changes = gitChanges(diff.unified1);
    const raw = rawPatches(diff.text);
    if (changes.length !== parsed.length || raw.length !== parsed.length || diff.numstat.length !== parsed.length) {
      miss(counts, `git listed ${diff.numstat.length} files, we read ${parsed.length}`);
      continue;
    }
    parsed.forEach((file, i) => {
      files++;
      hunks += file.hunks.length;
      changedLines += file.additions + file.deletions;
      const expected = diff.numstat[i] ?? null;
      counts.checked++;
      if (
        expected === null ? !file.binary : file.binary || expected.additions !== file.additions || expected.deletions !== file.deletions
      ) {
        miss(
          counts,
          `${file.path}: numstat ${JSON.stringify(expected)}, read +${file.additions} -${file.deletions}${file.binary ? " binary" : ""}`,
        );
      }
      githubShape.checked++;
      if (!sameAsPullRequestFile(file, raw[i]!)) miss(githubShape, `${file.path}: GitHub's patch reads differently`);
      if (file.binary) return;
      textFiles++;
      const sides = contents[i]!;
      const check = checkAgainstContent(file, sides.old, sides.new);
      content.checked += check.checked;
      for (const m of check.mismatches)
        miss(content, `${file.path} ${m.side} ${m.line}: expected ${JSON.stringify(m.expected)}, found ${JSON.stringify(m.actual)}`);
      const map = new FileLineMap(file);
      const implied = impliedByGit(changes[i]!, lineCount(sides.old), lineCount(sides.new));
      for (const side of ["LEFT", "RIGHT"] as const satisfies readonly Side[]) {
        const { union, differing } = compareSets(implied[side], map.lines(side));
        sets.checked += union;
        if (differing > 0) {
          sets.mismatches += differing;
          if (sets.examples.length < 5)
            sets.examples.push(`${diff.name}: ${file.path} ${side}: ${differing} lines differ from git's hunks`);
        }
      }
    });
  }

  console.log(`files: ${files} (${textFiles} text), ${hunks} hunks, ${changedLines} changed lines`);
  const report = (label: string, t: Tally, unit: string) => {
    console.log(`${label}: ${t.checked} ${unit} checked, ${t.mismatches} mismatches`);
    for (const example of t.examples) console.log(`  ${example}`);
  };
  report("content", content, "lines");
  report("commentable sets vs git's hunks", sets, "lines");
  report("counts vs git --numstat", counts, "files");
  report("GitHub's per-file patch", githubShape, "files");
  const p = preparation;
  console.log(`preparation of ${p.source} (${p.files} files, ${p.changedLines} changed lines: +${p.additions} -${p.deletions}):`);
  console.log(
    `  first run ${ms(p.coldMs)} (${ratio(p.coldRatio)} of git), then median ${ms(p.medianMs)} (${ratio(p.ratio)} of git); from GitHub's per-file patches: median ${ms(p.githubMedianMs)}`,
  );
  console.log(`  git diff producing it: median ${ms(p.gitMedianMs)}`);
  const corpusStart = performance.now();
  for (const diff of corpus) prepare(parseGitDiff(diff.text));
  const corpusMs = performance.now() - corpusStart;
  console.log(
    `whole corpus prepared in ${ms(corpusMs, 0)} (${changedLines} changed lines, ${Math.round(changedLines / (corpusMs / 1000)).toLocaleString("en")} lines/s)`,
  );

  const slowest = Math.max(p.coldMs, p.medianMs, p.githubMedianMs);
  return {
    corpus: { history, packages: corpus.length - history, files, textFiles, hunks, changedLines },
    content,
    sets,
    counts,
    githubShape,
    preparation,
    corpusMs,
    targets: [
      {
        name: "review diff: every mapped line matches the file contents",
        ok: content.mismatches === 0 && content.checked > 0,
        detail: `${content.mismatches} of ${content.checked} lines differ`,
      },
      {
        name: "review diff: commentable lines equal git's hunks",
        ok: sets.mismatches === 0 && sets.checked > 0,
        detail: `${sets.mismatches} of ${sets.checked} lines differ`,
      },
      {
        name: "review diff: counts equal git --numstat, GitHub's patch reads the same",
        ok: counts.mismatches + githubShape.mismatches === 0,
        detail: `${counts.mismatches} count and ${githubShape.mismatches} patch mismatches in ${counts.checked} files`,
      },
      {
        name: "review diff: preparation of a 2,000-line diff under 1 s",
        ok: slowest < PREPARATION_TARGET_MS,
        detail: `slowest ${ms(slowest)} (cold ${ms(p.coldMs)})`,
      },
    ],
  };
}

// ── the corpus ──────────────────────────────────────────────────────────────────────────

type Git = (cwd: string, args: readonly string[], input?: string) => Buffer;

/** git without user or system configuration; `--no-index` answers 1 when files differ. */
function gitRunner(home: string): Git {
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    LANG: "C",
  };
  return (cwd, args, input) => {
    const result = spawnSync("git", args, { cwd, env, maxBuffer: 1024 * 1024 * 1024, ...(input !== undefined ? { input } : {}) });
    const okStatus = result.status === 0 || (result.status === 1 && args.includes("--no-index"));
    if (!okStatus) throw new Error(`git ${args.join(" ")} failed (${result.status}): ${result.stderr?.toString().slice(0, 500)}`);
    return result.stdout;
  };
}

function historyDiffs(git: Git): CorpusDiff[] {
  const commits = git(projectRoot, ["rev-list", "--no-merges", "--parents", "HEAD"])
    .toString()
    .split("\n")
    .map((line) => line.split(" "))
    .filter((ids): ids is [string, string] => ids.length === 2);
  return commits.map(([commit, parent]) => {
    const args = ["diff", "-M", parent, commit];
    return corpusDiff(git, `commit ${commit.slice(0, 7)}`, "history", projectRoot, args, (files) => {
      const blobs = readBlobs(
        git,
        files.filter((f) => !f.binary).flatMap((f) => [`${parent}:${f.previousPath ?? f.path}`, `${commit}:${f.path}`]),
      );
      let next = 0;
      return files.map((f) => {
        if (f.binary) return { old: null, new: null };
        const [oldText, newText] = [blobs[next++]!, blobs[next++]!];
        return { old: f.status === "added" ? null : oldText, new: f.status === "removed" ? null : newText };
      });
    });
  });
}

function packageDiffs(git: Git): CorpusDiff[] {
  return nestedPackagePairs(nodeModules).map((pair) =>
    corpusDiff(
      git,
      `${pair.name} ${pair.olderVersion} → ${pair.newerVersion}`,
      "package",
      nodeModules,
      ["diff", "--no-index", pair.older, pair.newer],
      (files) =>
        files.map((f) => ({
          old: f.status === "added" || f.binary ? null : readFileSync(path.join(nodeModules, f.previousPath ?? f.path), "utf8"),
          new: f.status === "removed" || f.binary ? null : readFileSync(path.join(nodeModules, f.path), "utf8"),
        })),
    ),
  );
}

function corpusDiff(
  git: Git,
  name: string,
  kind: CorpusDiff["kind"],
  cwd: string,
  args: readonly string[],
  contents: CorpusDiff["contents"],
): CorpusDiff {
  const [command, ...rest] = args;
  const numstat = git(cwd, [command!, "--numstat", ...rest])
    .toString()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [a, d] = line.split("\t");
      return a === "-" ? null : { additions: Number(a), deletions: Number(d) };
    });
  return {
    name,
    kind,
    args,
    cwd,
    text: git(cwd, args).toString("utf8"),
    unified1: git(cwd, [command!, "--unified=1", ...rest]).toString("utf8"),
    numstat,
    changedLines: numstat.reduce((sum, n) => sum + (n ? n.additions + n.deletions : 0), 0),
    contents,
  };
}

/** Blob contents by `rev:path` through one `git cat-file --batch`; null for a missing object. */
function readBlobs(git: Git, specs: readonly string[]): (string | null)[] {
  if (specs.length === 0) return [];
  return parseCatFileBatch(git(projectRoot, ["cat-file", "--batch"], specs.map((s) => `${s}\n`).join("")), specs.length);
}

// ── what git implies ────────────────────────────────────────────────────────────────────

interface Change {
  /** 0-based index where the change starts in each file; for an empty side, the index it sits before. */
  readonly i1: number;
  readonly chg1: number;
  readonly i2: number;
  readonly chg2: number;
}

const HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * Per file, in diff order, git's changes: the runs of `-`/`+` lines of its `--unified=1` output,
 * read by this small reader of its own. Not `--unified=0`: with no context git trims the files'
 * common tail before diffing (`xdi_diff`), and an inserted block can then slide by a line.
 */
function gitChanges(text: string): Change[][] {
  return text
    .split(/^(?=diff --git )/m)
    .filter((section) => section.startsWith("diff --git "))
    .map((section) => {
      const lines = section.split("\n");
      const changes: Change[] = [];
      let i = lines.findIndex((l) => l.startsWith("@@"));
      while (i >= 0 && i < lines.length && lines[i]!.startsWith("@@")) {
        const m = HEADER.exec(lines[i]!)!;
        const [a, b, c, d] = [Number(m[1]), m[2] === undefined ? 1 : Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
        // git prints the line before an empty range, so a count of 0 shifts the start by one.
        let o = b === 0 ? a : a - 1;
        let n = d === 0 ? c : c - 1;
        let oldLeft = b;
        let newLeft = d;
        let open: { i1: number; chg1: number; i2: number; chg2: number } | null = null;
        i++;
        while (oldLeft > 0 || newLeft > 0 || lines[i]?.startsWith("\\")) {
          const marker = lines[i]![0];
          if (marker === " ") {
            if (open) changes.push(open);
            open = null;
            o++;
            n++;
            oldLeft--;
            newLeft--;
          } else if (marker === "-") {
            open ??= { i1: o, chg1: 0, i2: n, chg2: 0 };
            open.chg1++;
            o++;
            oldLeft--;
          } else if (marker === "+") {
            open ??= { i1: o, chg1: 0, i2: n, chg2: 0 };
            open.chg2++;
            n++;
            newLeft--;
          }
          i++;
        }
        if (open) changes.push(open);
      }
      return changes;
    });
}

/**
 * The lines git's default `--unified=3` output shows, rebuilt the way xdiff builds hunks
 * (`xdl_get_hunk`, `xdl_emit_diff`): changes at most 2×3 common lines apart share a hunk, which
 * reaches 3 lines before its first change and 3 after its last, within the file.
 */
function impliedByGit(changes: readonly Change[], oldCount: number, newCount: number): Record<Side, number[]> {
  const out: Record<Side, number[]> = { LEFT: [], RIGHT: [] };
  let first = 0;
  while (first < changes.length) {
    let last = first;
    while (last + 1 < changes.length && changes[last + 1]!.i1 - (changes[last]!.i1 + changes[last]!.chg1) <= 2 * CONTEXT) last++;
    const a = changes[first]!;
    const z = changes[last]!;
    const s1 = Math.max(a.i1 - CONTEXT, 0);
    const s2 = Math.max(a.i2 - CONTEXT, 0);
    const after = Math.min(CONTEXT, oldCount - (z.i1 + z.chg1), newCount - (z.i2 + z.chg2));
    for (let line = s1 + 1; line <= z.i1 + z.chg1 + after; line++) out.LEFT.push(line);
    for (let line = s2 + 1; line <= z.i2 + z.chg2 + after; line++) out.RIGHT.push(line);
    first = last + 1;
  }
  return out;
}

function lineCount(text: string | null): number {
  if (text === null || text === "") return 0;
  const lines = text.split("\n").length;
  return text.endsWith("\n") ? lines - 1 : lines;
}

/** Sizes of the union and the symmetric difference of two ascending lists. */
function compareSets(a: readonly number[], b: readonly number[]): { union: number; differing: number } {
  const left = new Set(a);
  const right = new Set(b);
  let differing = 0;
  for (const x of left) if (!right.has(x)) differing++;
  for (const x of right) if (!left.has(x)) differing++;
  return { union: new Set([...a, ...b]).size, differing };
}

function sameAsPullRequestFile(file: DiffFile, raw: string): boolean {
  if (patchText(file) !== raw) return false;
  const fromApi = parsePullRequestFile(pullRequestFile(file, raw));
  return (
    JSON.stringify(fromApi.hunks) === JSON.stringify(file.hunks) &&
    fromApi.additions === file.additions &&
    fromApi.deletions === file.deletions
  );
}

function pullRequestFile(file: DiffFile, raw: string): PullRequestFileInput {
  return {
    path: file.path,
    previousPath: file.previousPath,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    ...(raw === "" ? {} : { patch: raw }),
  };
}

// ── review preparation ──────────────────────────────────────────────────────────────────

/** What a review computes from a diff before the model sees it. */
function prepare(files: readonly DiffFile[]): number {
  const map = DiffLineMap.from(files);
  const walkthrough = files.map((f) => describeFile(summarizeFile(f))).join("\n");
  // The review's own planning (numbered patches within the budget, most important first) and the names it looks related code up by.
  const plan = planReview(files, { include: [], exclude: [], budgetTokens: Number.MAX_SAFE_INTEGER });
  const prompt = plan.reviewed.map((r) => r.patch).join("\n");
  const symbols = changedSymbols(files);
  // A result that depends on everything, so no step can be skipped.
  return map.paths().length + walkthrough.length + prompt.length + symbols.changed.length + symbols.called.length;
}

function timePreparation(diff: CorpusDiff, git: Git): ReviewDiffResult["preparation"] {
  const fromGit = () => prepare(parseGitDiff(diff.text));
  const timed = (fn: () => number) => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  };
  const coldMs = timed(fromGit);
  const files = parseGitDiff(diff.text);
  const raw = rawPatches(diff.text);
  const inputs = files.map((f, i) => pullRequestFile(f, raw[i]!));
  const fromGitHub = () => prepare(inputs.map(parsePullRequestFile));
  const warm: number[] = [];
  const github: number[] = [];
  // Interleaved, so that neither path gets all the benefit of a warmer JIT.
  for (let run = 0; run < WARMUP_RUNS + WARM_RUNS; run++) {
    const a = timed(fromGit);
    const b = timed(fromGitHub);
    if (run < WARMUP_RUNS) continue;
    warm.push(a);
    github.push(b);
  }
  const gitTimes = Array.from({ length: GIT_RUNS }, () => timed(() => git(diff.cwd, diff.args).length));
  const medianMs = median(warm);
  const gitMedianMs = median(gitTimes);
  return {
    source: diff.name,
    files: files.length,
    changedLines: diff.changedLines,
    additions: files.reduce((sum, f) => sum + f.additions, 0),
    deletions: files.reduce((sum, f) => sum + f.deletions, 0),
    coldMs,
    medianMs,
    githubMedianMs: median(github),
    gitMedianMs,
    ratio: medianMs / gitMedianMs,
    coldRatio: coldMs / gitMedianMs,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = runReviewDiffBench();
  for (const t of result.targets) console.log(`${t.ok ? "PASS" : "FAIL"} ${t.name} (${t.detail})`);
  await runCleanups();
}
