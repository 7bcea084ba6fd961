/**
 * Retrieval quality of the code index, CodeSearchNet style: real codebases from node_modules with
 * every doc comment removed, each documented function's doc sentence as the query, and the
 * function as the answer. Side by side: plain BM25 over whole files (SQLite FTS5), the usual
 * baseline of code search papers. Scored three ways: as each side comes (ours by chunk, the
 * baseline by file, which flatters the baseline), at equal granularity (the baseline's files read
 * as our chunks), and by what reaches a model's context within the same token budget — the
 * figure the target is checked on.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { loadEnv } from "../src/config/env.js";
import { IndexCatalog } from "../src/index/catalog.js";
import { chunkFile } from "../src/index/chunk/chunk-file.js";
import { CodeIndex } from "../src/index/code-index.js";
import { EmbeddingCache } from "../src/index/embed/embedding-cache.js";
import { UniversalSentenceEncoderEmbedder } from "../src/index/embed/universal-sentence-encoder-embedder.js";
import { detectLanguage } from "../src/index/scan/language.js";
import { scanRepository } from "../src/index/scan/scan-repository.js";
import { SqliteIndexStore } from "../src/index/store/sqlite-index-store.js";
import type { Chunk } from "../src/index/types.js";
import type { Embedder } from "../src/llm/types.js";
import { openDatabase } from "../src/store/database.js";
import {
  BENCH_DIR,
  CANDIDATES,
  distinctTargets,
  loadCodebase,
  makeGitRepo,
  progressPrinter,
  seededShuffle,
  type Codebase,
  type StrippedFile,
  type Target,
} from "./index-corpus.js";
import { median, ms, onCleanup, percentile, ratio, table } from "./support.js";
import { filesAsUnits, reachesContext, unitRank, wholeFiles } from "./context-budget.js";
import { WholeFileBm25 } from "./whole-file-bm25.js";

export const RECALL_RATIO_TARGET = 1.3;
const K = 10;
/**
 * Token budgets for the in-context view: what the review job, and the fix job's first prompt
 * (`CHUNKS_BUDGET` in src/fix/code-context.ts), give to code found by the index. The target is
 * checked at the fix job's.
 */
const BUDGETS = [1_500, 3_000] as const;
const TARGET_BUDGET = 3_000;
/** Our chunks read for the in-context view: more than the largest budget holds. */
const DEEP_K = 60;
/** What a codebase needs: functions with a doc comment, usable as a query or not. */
const MIN_DOCUMENTED = 200;
/**
 * Queries a codebase's sample must keep. 200 is the aim; a well-documented package can fall short
 * once tag-only docs are left out (node-llama-cpp documents 373 functions, half with `@internal` alone).
 */
const MIN_QUERIES = 150;
/** Below this, ten files are a large share of the codebase and the whole-file baseline is right by luck. */
const MIN_FILES = 50;
/** About two minutes of embedding per codebase on two cores when the cache is cold. */
const MAX_CHUNKS = 1_500;
const SEED = 20_240_601;
const TAG = "main";

// ── scoring ───────────────────────────────────────────────────────────────────────────

export interface Scores {
  readonly queries: number;
  readonly recallAt1: number;
  readonly recallAt10: number;
  readonly mrr: number;
}

/** From the 1-based rank of the first correct result of each query (0: none in the top 10). */
function score(ranks: readonly number[]): Scores {
  const n = ranks.length;
  return {
    queries: n,
    recallAt1: ranks.filter((r) => r === 1).length / n,
    recallAt10: ranks.filter((r) => r >= 1 && r <= K).length / n,
    mrr: ranks.reduce((sum, r) => sum + (r >= 1 ? 1 / r : 0), 0) / n,
  };
}

export const HIT_DEFINITION =
  `a unit of code is correct when its path is the function's file and its lines overlap the function's (unit.startLine ≤ fn.endLine and unit.endLine ≥ fn.startLine; the function's lines run from its signature to its closing line in the stripped copy, decorators and export included). ` +
  `Three views. (1) As each side comes: ours ranks chunks; the baseline ranks whole files, and a file is correct when it is the function's file, however long — it flatters the baseline, and is kept for comparison with the literature. ` +
  `(2) Equal granularity: the baseline's files, in rank order, read top to bottom as the chunks our chunker cuts them into, so both sides rank pieces of the same sizes. ` +
  `(3) In context, the target's view: each side's ranking given to a model until a budget of B tokens (the product's estimate, the counter contextFor packs with) is spent — ours chunk by chunk, the baseline file by file, whole, the last unit cut after its last whole line that fits, a header (location and code fence) paid per unit; a query is answered when a line of the function is in what was given. ` +
  `Recall@k: share of queries with a correct unit in the top k; MRR: mean of 1/rank of the first correct unit in the top ${K} (0 if none); recall in B tokens: share of queries answered in context.`;

function meanScores(all: readonly Scores[]): Scores {
  const avg = (of: (s: Scores) => number) => all.reduce((sum, s) => sum + of(s), 0) / all.length;
  return {
    queries: all.reduce((n, s) => n + s.queries, 0),
    recallAt1: avg((s) => s.recallAt1),
    recallAt10: avg((s) => s.recallAt10),
    mrr: avg((s) => s.mrr),
  };
}

function chunkRank(chunks: readonly Chunk[], target: Target): number {
  const i = chunks.findIndex(
    (c) => c.path === target.path && target.spans.some((s) => c.startLine <= s.endLine && c.endLine >= s.startLine),
  );
  return i + 1;
}

function fileRank(paths: readonly string[], target: Target): number {
  return paths.indexOf(target.path) + 1;
}

/** Share of queries answered. */
function share(answered: readonly boolean[]): number {
  return answered.filter(Boolean).length / answered.length;
}

/** Passes everything to the sentence encoder and keeps the vectors of single texts (the queries), for the nearest-only row. */
class QueryRememberingEmbedder implements Embedder {
  readonly label: string;
  readonly remembered = new Map<string, number[]>();
  readonly #inner: Embedder;
  constructor(inner: Embedder) {
    this.#inner = inner;
    this.label = inner.label;
  }
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const vectors = await this.#inner.embed(texts, signal);
    if (texts.length === 1 && vectors[0]) this.remembered.set(texts[0]!, vectors[0]);
    return vectors;
  }
}

// ── the bench ─────────────────────────────────────────────────────────────────────────

export interface CodebaseResult {
  readonly name: string;
  readonly files: number;
  readonly sampledFiles: number;
  readonly chunks: number;
  readonly queries: number;
  readonly ours: Scores;
  readonly oursFiles: Scores;
  readonly lexicalOnly: Scores;
  readonly nearestOnly: Scores;
  readonly baseline: Scores;
  /** The baseline's ranking at our granularity: its files read as our chunks. */
  readonly baselineUnits: Scores;
  /** Recall in context at each of BUDGETS. */
  readonly inContext: ReadonlyArray<{ readonly budget: number; readonly ours: number; readonly baseline: number }>;
  readonly embedded: number;
  readonly cached: number;
  readonly indexMs: number;
  readonly searchP50Ms: number;
}

export interface RetrievalResult {
  readonly codebases: readonly CodebaseResult[];
  /** Each codebase weighs the same, however many queries it has; `ratio` is recall@10 as each side comes. */
  readonly mean: { readonly ours: Scores; readonly baseline: Scores; readonly ratio: number };
  /** Every query weighs the same. */
  readonly pooled: { readonly ours: Scores; readonly baseline: Scores; readonly ratio: number };
  /** Recall in TARGET_BUDGET tokens, mean of the codebases: the target's figure. */
  readonly inContext: { readonly budget: number; readonly ours: number; readonly baseline: number; readonly ratio: number };
  readonly targets: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
}

interface Prepared {
  readonly codebase: Codebase;
  readonly files: readonly StrippedFile[];
  /** What the scanner leaves out (generated files): not part of either side's corpus. */
  readonly skipped: ReadonlyArray<{ readonly path: string; readonly reason: string; readonly queries: number }>;
  readonly chunkCounts: ReadonlyMap<string, number>;
  /** Each file's chunks as our chunker cuts it: the units the baseline's files are read as. */
  readonly chunksByPath: ReadonlyMap<string, readonly Chunk[]>;
  readonly targets: readonly Target[];
  readonly sample: readonly StrippedFile[];
  readonly sampleTargets: readonly Target[];
}

async function prepare(codebase: Codebase, workDir: string): Promise<Prepared> {
  const loaded = await loadCodebase(codebase);
  const scanned = await scanRepository(makeGitRepo(path.join(workDir, "all"), loaded));
  const skippedPaths = new Set(scanned.skipped.map((s) => s.path));
  const skipped = scanned.skipped.map((s) => ({
    path: s.path,
    reason: s.detail ?? s.reason,
    queries: loaded.find((f) => f.path === s.path)?.targets.length ?? 0,
  }));
  const files = loaded.filter((f) => !skippedPaths.has(f.path));
  const chunksByPath = new Map<string, Chunk[]>();
  for (const f of files)
    chunksByPath.set(f.path, await chunkFile({ path: f.path, language: detectLanguage(f.path, f.text), text: f.text }));
  const chunkCounts = new Map([...chunksByPath].map(([p, chunks]) => [p, chunks.length]));
  const targets = distinctTargets(files);
  const chosen = sample(files, chunkCounts, targets);
  const inSample = new Set(chosen.map((f) => f.path));
  return {
    codebase,
    files,
    skipped,
    chunkCounts,
    chunksByPath,
    targets,
    sample: chosen,
    sampleTargets: targets.filter((t) => inSample.has(t.path)),
  };
}

/**
 * At most MAX_CHUNKS chunks: files in a seeded order, those with more queries per chunk first (so
 * the sample keeps as many queries as it can), each taken when it still fits; files without a
 * query come last, as distractors, while room is left.
 */
function sample(files: readonly StrippedFile[], chunkCounts: ReadonlyMap<string, number>, targets: readonly Target[]): StrippedFile[] {
  const chunksOf = (f: StrippedFile) => chunkCounts.get(f.path) ?? 0;
  if (files.reduce((n, f) => n + chunksOf(f), 0) <= MAX_CHUNKS) return [...files];
  const queries = new Map<string, number>();
  for (const t of targets) queries.set(t.path, (queries.get(t.path) ?? 0) + 1);
  const density = (f: StrippedFile) => (queries.get(f.path) ?? 0) / Math.max(1, chunksOf(f));
  const order = seededShuffle(files, SEED).sort((a, b) => density(b) - density(a));
  const chosen: StrippedFile[] = [];
  let used = 0;
  for (const file of order) {
    if (used + chunksOf(file) > MAX_CHUNKS) continue;
    chosen.push(file);
    used += chunksOf(file);
  }
  return chosen.sort((a, b) => a.path.localeCompare(b.path));
}

/** Why a candidate is not used, or null when it qualifies. */
function shortfall(p: Prepared): string | null {
  const documented = p.files.reduce((n, f) => n + f.documented, 0);
  if (documented < MIN_DOCUMENTED) return `${documented} documented functions`;
  if (p.sampleTargets.length < MIN_QUERIES) return `${p.sampleTargets.length} usable queries`;
  if (p.sample.length < MIN_FILES) return `${p.sample.length} files, too few for whole-file retrieval to miss`;
  return null;
}

export async function runIndexRetrievalBench(): Promise<RetrievalResult> {
  const started = performance.now();
  mkdirSync(BENCH_DIR, { recursive: true });
  console.log("documented functions (a /** */ comment ending on the line before, or one blank line above, a function, method or class):");
  const reposDir = mkdtempSync(path.join(os.tmpdir(), "bench-index-repos-"));
  onCleanup(() => rmSync(reposDir, { recursive: true, force: true }));
  const candidates: Prepared[] = [];
  const countRows: string[][] = [];
  for (const codebase of CANDIDATES) {
    const prepared = await prepare(codebase, reposDir);
    const missing = shortfall(prepared);
    const used = missing === null && candidates.length < 3;
    if (used) candidates.push(prepared);
    const sum = (of: (f: StrippedFile) => number) => String(prepared.files.reduce((n, f) => n + of(f), 0));
    const chunks = [...prepared.chunkCounts.values()].reduce((a, b) => a + b, 0);
    const sampled = prepared.sample.reduce((n, f) => n + (prepared.chunkCounts.get(f.path) ?? 0), 0);
    countRows.push([
      codebase.name,
      `${prepared.files.length} / ${chunks}`,
      sum((f) => f.docComments),
      sum((f) => f.documented),
      sum((f) => f.targets.length),
      String(prepared.targets.length),
      `${prepared.sample.length} / ${sampled} / ${prepared.sampleTargets.length}`,
      used ? "used" : missing === null ? "qualifies" : `no: ${missing}`,
    ]);
  }
  console.log(
    table(
      [
        "codebase",
        "files / chunks",
        "doc comments",
        "documented functions",
        "with a sentence",
        "distinct queries",
        "sample: files / chunks / queries",
        "",
      ],
      countRows,
    ),
  );
  console.log(
    `with a sentence: the description's first sentence (or the @returns text), at least 3 words; tag-only docs such as "@param {string} key" or "@internal" give none. ` +
      `Distinct: a sentence on functions of two files is dropped as ambiguous; on several functions of one file (overloads) it is one query any of them answers. ` +
      `Used: the first three with ≥ ${MIN_DOCUMENTED} documented functions whose sample keeps ≥ ${MIN_QUERIES} queries and ≥ ${MIN_FILES} files.`,
  );
  if (candidates.length < 3) throw new Error(`only ${candidates.length} codebases qualify`);
  for (const p of candidates.filter((c) => c.skipped.length > 0)) {
    console.log(
      `${p.codebase.name}: left out of both corpora, as the scanner skips them: ${p.skipped.map((s) => `${s.path} (${s.reason}; ${s.queries} documented functions)`).join(", ")}`,
    );
  }
  console.log(`\nhit: ${HIT_DEFINITION}`);

  // The product's wiring (what openCodeIndex builds for the built-in encoder and the SQLite store),
  // with the embedding cache in a stable index.db. Each codebase's space is emptied first (opened
  // under another model, which the store answers by dropping it), so the index is rebuilt from the
  // current chunker on every run while chunk texts seen before keep their vectors.
  const env = loadEnv({ CODER_DATA_DIR: BENCH_DIR });
  const store = new SqliteIndexStore(path.join(env.CODER_DATA_DIR, "index.db"));
  const stateDb = openDatabase(env.CODER_DATA_DIR);
  const catalog = new IndexCatalog(stateDb);
  const embedder = new QueryRememberingEmbedder(new UniversalSentenceEncoderEmbedder());
  const index = new CodeIndex({
    store,
    embedder,
    vectors: new EmbeddingCache(store.database),
    catalog,
    scan: (root, options) =>
      scanRepository(root, {
        ...(options.include ? { include: [...options.include] } : {}),
        ...(options.exclude ? { exclude: [...options.exclude] } : {}),
      }),
    chunk: (file) => chunkFile(file),
  });
  onCleanup(async () => {
    await store.close();
    stateDb.close();
  });
  console.log(
    `\nvectors are cached in ${path.join(BENCH_DIR, "index.db")}: a rerun embeds only chunk texts it has not seen (delete the directory to measure a cold run).`,
  );

  const results: CodebaseResult[] = [];
  const allRanks = { ours: [] as number[], baseline: [] as number[] };
  for (const prepared of candidates) {
    const { codebase } = prepared;
    const files = prepared.sample;
    const targets = prepared.sampleTargets;
    const chunkTotal = files.reduce((n, f) => n + (prepared.chunkCounts.get(f.path) ?? 0), 0);
    console.log(
      `\n${codebase.name}: ${files.length === prepared.files.length ? `all ${files.length} files` : `sampled ${files.length} of ${prepared.files.length} files (seed ${SEED}, most queries per chunk first, cap ${MAX_CHUNKS} chunks)`}, ${chunkTotal} chunks, ${targets.length} of ${prepared.targets.length} queries`,
    );
    const repo = makeGitRepo(path.join(reposDir, codebase.name), files);
    const repoKey = `bench/${codebase.name}`;
    catalog.forget(repoKey);
    await store.open(repoKey, "bench-reset", 1);
    const indexStarted = performance.now();
    const stats = await index.index({ repoKey, tag: TAG, root: repo, onProgress: progressPrinter(codebase.name) });
    const indexMs = performance.now() - indexStarted;
    const skippedWithQueries = stats.skipped.filter((s) => targets.some((t) => t.path === s.path));
    console.log(
      `  indexed in ${(indexMs / 1000).toFixed(1)} s: ${stats.files} files, ${stats.chunks} chunks, ${stats.embedded} embedded, ${stats.cached} from the cache${stats.skipped.length > 0 ? `; scanner skipped ${stats.skipped.length} (${skippedWithQueries.length} holding queries)` : ""}`,
    );

    const baseline = new WholeFileBm25(files);
    const textOf = new Map(files.map((f) => [f.path, f.text]));
    const ranks = {
      ours: [] as number[],
      oursFiles: [] as number[],
      lexical: [] as number[],
      nearest: [] as number[],
      baseline: [] as number[],
      baselineUnits: [] as number[],
    };
    const answered = BUDGETS.map(() => ({ ours: [] as boolean[], baseline: [] as boolean[] }));
    const latencies: number[] = [];
    for (const target of targets) {
      const t0 = performance.now();
      const hits = await index.search(repoKey, TAG, target.query, K);
      latencies.push(performance.now() - t0);
      const chunks = hits.map((h) => h.chunk);
      ranks.ours.push(chunkRank(chunks, target));
      ranks.oursFiles.push(fileRank([...new Set(chunks.map((c) => c.path))], target));
      ranks.lexical.push(
        chunkRank(
          (await store.lexical(repoKey, target.query, K, TAG)).map((h) => h.chunk),
          target,
        ),
      );
      const vector = embedder.remembered.get(target.query.trim());
      ranks.nearest.push(
        vector
          ? chunkRank(
              (await store.nearest(repoKey, vector, K, TAG)).map((h) => h.chunk),
              target,
            )
          : 0,
      );
      const baselineFiles = baseline.search(target.query, K);
      ranks.baseline.push(fileRank(baselineFiles, target));
      ranks.baselineUnits.push(
        unitRank(
          filesAsUnits(baselineFiles, (p) => prepared.chunksByPath.get(p)),
          target,
          K,
        ),
      );
      const deep = (await index.search(repoKey, TAG, target.query, DEEP_K)).map((h) => h.chunk);
      const given = wholeFiles(baselineFiles, (p) => textOf.get(p));
      BUDGETS.forEach((budget, i) => {
        answered[i]!.ours.push(reachesContext(deep, target, budget));
        answered[i]!.baseline.push(reachesContext(given, target, budget));
      });
    }
    baseline.close();
    embedder.remembered.clear();
    allRanks.ours.push(...ranks.ours);
    allRanks.baseline.push(...ranks.baseline);
    results.push({
      name: codebase.name,
      files: prepared.files.length,
      sampledFiles: files.length,
      chunks: stats.chunks,
      queries: targets.length,
      ours: score(ranks.ours),
      oursFiles: score(ranks.oursFiles),
      lexicalOnly: score(ranks.lexical),
      nearestOnly: score(ranks.nearest),
      baseline: score(ranks.baseline),
      baselineUnits: score(ranks.baselineUnits),
      inContext: BUDGETS.map((budget, i) => ({ budget, ours: share(answered[i]!.ours), baseline: share(answered[i]!.baseline) })),
      embedded: stats.embedded,
      cached: stats.cached,
      indexMs,
      searchP50Ms: median(latencies),
    });
    console.log(
      `  ${targets.length} queries; CodeIndex.search p50 ${ms(median(latencies), 1)}, p95 ${ms(
        percentile(
          [...latencies].sort((a, b) => a - b),
          95,
        ),
        1,
      )} (sentence encoder included)`,
    );
  }

  const pooledOurs = score(allRanks.ours);
  const pooledBaseline = score(allRanks.baseline);
  const pooled = { ours: pooledOurs, baseline: pooledBaseline, ratio: pooledOurs.recallAt10 / pooledBaseline.recallAt10 };
  const meanOurs = meanScores(results.map((r) => r.ours));
  const meanBaseline = meanScores(results.map((r) => r.baseline));
  const mean = { ours: meanOurs, baseline: meanBaseline, ratio: meanOurs.recallAt10 / meanBaseline.recallAt10 };
  const meanBaselineUnits = meanScores(results.map((r) => r.baselineUnits));
  const meanOursByFile = meanScores(results.map((r) => r.oursFiles));
  const meanOf = (of: (r: CodebaseResult) => number) => results.reduce((sum, r) => sum + of(r), 0) / results.length;
  const contextAt = (budget: number) => {
    const at = (r: CodebaseResult) => r.inContext.find((c) => c.budget === budget)!;
    const ours = meanOf((r) => at(r).ours);
    const baseline = meanOf((r) => at(r).baseline);
    return { budget, ours, baseline, ratio: ours / baseline };
  };
  const inContext = contextAt(TARGET_BUDGET);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const row = (name: string, what: string, s: Scores, unit: string) => [
    name,
    what,
    unit,
    String(s.queries),
    pct(s.recallAt1),
    pct(s.recallAt10),
    s.mrr.toFixed(3),
  ];
  const ratioRow = (what: string, value: number) => ["", `${what}: ${ratio(value)}`, "", "", "", "", ""];
  const rows: string[][] = [];
  for (const r of results) {
    rows.push(
      row(r.name, "ours: CodeIndex.search (hybrid)", r.ours, "chunk"),
      row("", "  ours, lexical only (FTS5 on chunks)", r.lexicalOnly, "chunk"),
      row("", "  ours, nearest only (sentence encoder)", r.nearestOnly, "chunk"),
      row("", "  ours, scored by file", r.oursFiles, "file"),
      row("", "baseline: BM25 over whole files", r.baseline, "file"),
      row("", "baseline, its files read as our chunks", r.baselineUnits, "chunk"),
      ratioRow("recall@10 ours ÷ baseline, as each comes", r.ours.recallAt10 / r.baseline.recallAt10),
      ratioRow("recall@10 ours ÷ baseline, by chunk", r.ours.recallAt10 / r.baselineUnits.recallAt10),
    );
  }
  rows.push(
    row("mean of 3", "ours: CodeIndex.search (hybrid)", mean.ours, "chunk"),
    row("", "  ours, scored by file", meanOursByFile, "file"),
    row("", "baseline: BM25 over whole files", mean.baseline, "file"),
    row("", "baseline, its files read as our chunks", meanBaselineUnits, "chunk"),
    ratioRow("recall@10 ours ÷ baseline, as each comes", mean.ratio),
    ratioRow("recall@10 ours ÷ baseline, by file", meanOursByFile.recallAt10 / mean.baseline.recallAt10),
    ratioRow("recall@10 ours ÷ baseline, by chunk", mean.ours.recallAt10 / meanBaselineUnits.recallAt10),
    row("all queries", "ours: CodeIndex.search (hybrid)", pooled.ours, "chunk"),
    row("", "baseline: BM25 over whole files", pooled.baseline, "file"),
    ratioRow("recall@10 ours ÷ baseline, as each comes", pooled.ratio),
  );
  console.log(`\n${table(["codebase", "retrieval", "unit", "queries", "recall@1", "recall@10", "MRR"], rows)}`);

  const contextRows = [
    ...results.map((r) => ({ name: r.name, at: (budget: number) => r.inContext.find((c) => c.budget === budget)! })),
    { name: "mean of 3", at: contextAt },
  ].flatMap(({ name, at }) =>
    BUDGETS.map((budget, i) => {
      const { ours, baseline } = at(budget);
      return [i === 0 ? name : "", `${budget.toLocaleString("en")} tokens`, pct(ours), pct(baseline), ratio(ours / baseline)];
    }),
  );
  console.log(
    `\nin context: share of queries whose function reaches a model given B tokens of each side's results (view 3 of the definition above)\n${table(["codebase", "budget B", "ours (chunks)", "baseline (whole files)", "ours ÷ baseline"], contextRows)}`,
  );
  console.log(
    `\nrecall in ${TARGET_BUDGET.toLocaleString("en")} tokens, ours ÷ whole-file BM25, mean of the codebases: ${pct(inContext.ours)} vs ${pct(inContext.baseline)} = ${ratio(inContext.ratio)} (target ≥ ${RECALL_RATIO_TARGET.toFixed(2)}×)`,
  );
  console.log(
    `  as each comes (ours by chunk, the baseline by whole file): recall@10 ${ratio(mean.ratio)}; ours scored by file too: ${ratio(meanOursByFile.recallAt10 / mean.baseline.recallAt10)}; the baseline read as chunks: ${ratio(mean.ours.recallAt10 / meanBaselineUnits.recallAt10)}`,
  );
  console.log(`retrieval bench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return {
    codebases: results,
    mean,
    pooled,
    inContext,
    targets: [
      {
        name: `index retrieval: recall in ${TARGET_BUDGET.toLocaleString("en")} tokens, ours ÷ whole-file BM25`,
        ok: inContext.ratio >= RECALL_RATIO_TARGET,
        detail: `mean of the codebases ${pct(inContext.ours)} vs ${pct(inContext.baseline)} = ${ratio(inContext.ratio)}, target ≥ ${RECALL_RATIO_TARGET.toFixed(2)}×`,
      },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { installExitHandlers, runCleanups } = await import("./support.js");
  installExitHandlers();
  try {
    await runIndexRetrievalBench();
  } finally {
    await runCleanups();
  }
}
