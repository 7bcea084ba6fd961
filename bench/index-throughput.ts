/**
 * How fast the code index builds and answers: scan + chunk throughput on thousands of real files,
 * a cold full index with the built-in sentence encoder, an incremental re-index after ten edited
 * files (as a share of the full run, same tree, same path), and hybrid query latency on a store
 * of 50,000 real chunks.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { loadEnv } from "../src/config/env.js";
import { chunkFile } from "../src/index/chunk/chunk-file.js";
import { UniversalSentenceEncoderEmbedder } from "../src/index/embed/universal-sentence-encoder-embedder.js";
import type { IndexStats } from "../src/index/indexer.js";
import { openCodeIndex } from "../src/index/open-code-index.js";
import { Retriever } from "../src/index/retriever.js";
import { scanRepository } from "../src/index/scan/scan-repository.js";
import { SqliteIndexStore } from "../src/index/store/sqlite-index-store.js";
import type { Chunk } from "../src/index/types.js";
import type { Embedder } from "../src/llm/types.js";
import { openDatabase } from "../src/store/database.js";
import {
  CANDIDATES,
  distinctTargets,
  listFiles,
  loadCodebase,
  makeGitRepo,
  NODE_MODULES,
  progressPrinter,
  seededShuffle,
} from "./index-corpus.js";
import { median, ms, onCleanup, percentile, table } from "./support.js";

export const INCREMENTAL_TARGET = 0.02;
export const LATENCY_TARGET_MS = 50;
const LATENCY_CHUNKS = 50_000;
const CHANGED_FILES = 10;
const QUERIES = 100;
const SEED = 7_771;
const TAG = "main";

/**
 * Package sources for the embedded runs: about 800 chunks, a minute of embedding on two idle
 * cores. Re-indexing ten edited files costs about the same on any tree, so the incremental share
 * depends on the tree's size; this is a small repository's, where the share is hardest to keep low.
 */
const EMBEDDED_TREE = [
  { dir: "protobufjs/src", files: /\.js$/ },
  { dir: "commander/lib", files: /\.js$/ },
  { dir: "web-tree-sitter/src", files: /(?<!\.d)\.ts$/ },
];

export interface ThroughputResult {
  readonly chunkOnly: {
    readonly files: number;
    readonly chunks: number;
    readonly megabytes: number;
    readonly scanMs: number;
    readonly chunkMs: number;
    readonly filesPerSecond: number;
    readonly chunksPerSecond: number;
  };
  readonly embedded: {
    readonly files: number;
    readonly chunks: number;
    readonly fullMs: number;
    readonly filesPerSecond: number;
    readonly chunksPerSecond: number;
  };
  readonly incremental: { readonly ms: number; readonly share: number; readonly stats: IndexStats };
  readonly latency: {
    readonly chunks: number;
    readonly insertMs: number;
    readonly queries: number;
    readonly hybrid: { readonly p50: number; readonly p95: number; readonly cpuP50: number };
    readonly lexicalP50: number;
    readonly nearestP50: number;
  };
  readonly targets: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
}

/** Every JavaScript and TypeScript source of node_modules, under `packages/` so the scanner does not take it for vendored code. */
function nodeModulesSources(): Array<{ path: string; text: string }> {
  return listFiles(NODE_MODULES, /\.([cm]?js|[cm]?ts)$/).map((relative) => ({
    path: `packages/${relative}`,
    text: readFileSync(path.join(NODE_MODULES, relative), "utf8"),
  }));
}

function treeOf(parts: ReadonlyArray<{ dir: string; files: RegExp }>): Array<{ path: string; text: string }> {
  return parts.flatMap(({ dir, files }) =>
    listFiles(path.join(NODE_MODULES, dir), files).map((relative) => ({
      path: `${dir}/${relative}`,
      text: readFileSync(path.join(NODE_MODULES, dir, relative), "utf8"),
    })),
  );
}

/**
 * A vector made from the text's words (feature hashing into 512 signed buckets, unit length):
 * free to compute, deterministic, and close for texts that share words, so nearest search has a
 * realistic spread of distances. For the latency bench only: embedding 50,000 chunks with the
 * sentence encoder would take over an hour.
 */
export class HashedTermsEmbedder implements Embedder {
  readonly label = "hashed-terms-512";
  embed(texts: readonly string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((text) => hashedVector(text)));
  }
}

function hashedVector(text: string, dimensions = 512): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9_]+/g) ?? []) {
    let h = 0x811c9dc5;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193) >>> 0;
    vector[h % dimensions]! += h & 0x80000000 ? -1 : 1;
  }
  const length = Math.hypot(...vector);
  return length === 0 ? vector : vector.map((x) => x / length);
}

/** Inserts one line in the middle of the file: the smallest edit that changes a chunk's text. */
function editFile(file: string, n: number): void {
  const lines = readFileSync(file, "utf8").split("\n");
  lines.splice(Math.floor(lines.length / 2), 0, `// edited for the incremental index bench (${n})`);
  writeFileSync(file, lines.join("\n"));
}

async function chunkOnlyThroughput(work: string): Promise<{ result: ThroughputResult["chunkOnly"]; chunks: Chunk[] }> {
  const sources = nodeModulesSources();
  const repo = makeGitRepo(path.join(work, "sources"), sources);
  console.log(`(a) scan + chunk, no embeddings: every .js/.ts/.d.ts of node_modules copied into a git work tree (${sources.length} files)`);
  const scanStarted = performance.now();
  const scan = await scanRepository(repo);
  const scanMs = performance.now() - scanStarted;
  const chunks: Chunk[] = [];
  let bytes = 0;
  let last = performance.now();
  const chunkStarted = performance.now();
  for (const [i, file] of scan.files.entries()) {
    const text = readFileSync(path.join(repo, file.path), "utf8");
    bytes += Buffer.byteLength(text);
    chunks.push(...(await chunkFile({ path: file.path, language: file.language, text })));
    if (performance.now() - last > 10_000) {
      last = performance.now();
      console.log(`  ${i + 1}/${scan.files.length} files, ${chunks.length} chunks, ${((last - chunkStarted) / 1000).toFixed(0)} s`);
    }
  }
  const chunkMs = performance.now() - chunkStarted;
  const seconds = (scanMs + chunkMs) / 1000;
  const result = {
    files: scan.files.length,
    chunks: chunks.length,
    megabytes: bytes / 1e6,
    scanMs,
    chunkMs,
    filesPerSecond: scan.files.length / seconds,
    chunksPerSecond: chunks.length / seconds,
  };
  const skipped = new Map<string, number>();
  for (const s of scan.skipped) skipped.set(s.reason, (skipped.get(s.reason) ?? 0) + 1);
  console.log(
    `  scan ${(scanMs / 1000).toFixed(1)} s (${scan.files.length} kept; skipped: ${[...skipped].map(([r, n]) => `${n} ${r}`).join(", ") || "none"}), read + chunk ${(chunkMs / 1000).toFixed(1)} s, ${result.megabytes.toFixed(1)} MB`,
  );
  return { result, chunks };
}

async function embeddedRuns(
  work: string,
): Promise<{ embedded: ThroughputResult["embedded"]; incremental: ThroughputResult["incremental"] }> {
  const tree = treeOf(EMBEDDED_TREE);
  const repo = makeGitRepo(path.join(work, "embedded"), tree);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "bench-index-data-"));
  const db = openDatabase(dataDir);
  const opened = openCodeIndex(loadEnv({ CODER_DATA_DIR: dataDir }), db);
  if (!opened) throw new Error("the code index is off by default?");
  onCleanup(async () => {
    await opened.close();
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  // The model loads once per process; a running bot has loaded it long before, so neither run pays for it.
  await new UniversalSentenceEncoderEmbedder().embed(["warm up"]);
  console.log(
    `\n(b) full index with the built-in sentence encoder (openCodeIndex, fresh data directory, so the embedding cache is empty): ${EMBEDDED_TREE.map((t) => t.dir).join(", ")}`,
  );
  const repoKey = "bench/embedded";
  const fullStarted = performance.now();
  const full = await opened.index.index({ repoKey, tag: TAG, root: repo, onProgress: progressPrinter("full") });
  const fullMs = performance.now() - fullStarted;
  const embedded = {
    files: full.files,
    chunks: full.chunks,
    fullMs,
    filesPerSecond: full.files / (fullMs / 1000),
    chunksPerSecond: full.chunks / (fullMs / 1000),
  };
  const edited = seededShuffle(
    tree.map((f) => f.path),
    SEED,
  ).slice(0, CHANGED_FILES);
  edited.forEach((p, i) => editFile(path.join(repo, p), i));
  console.log(`\n    incremental: one line inserted in each of ${edited.length} files (${edited.join(", ")}), same index`);
  const started = performance.now();
  const stats = await opened.index.index({ repoKey, tag: TAG, root: repo });
  const incrementalMs = performance.now() - started;
  console.log(
    `    full ${(fullMs / 1000).toFixed(1)} s (${full.chunks} chunks, ${full.embedded} embedded); incremental ${(incrementalMs / 1000).toFixed(2)} s (${stats.chunked} files re-chunked, ${stats.unchanged} unchanged, ${stats.embedded} chunks embedded, ${stats.cached} from the cache)`,
  );
  return { embedded, incremental: { ms: incrementalMs, share: incrementalMs / fullMs, stats } };
}

/** Doc sentences (what a person asks) and symbol names (what a model's search tool asks), mixed 70/30. */
async function realisticQueries(chunks: readonly Chunk[]): Promise<string[]> {
  const sentences: string[] = [];
  for (const codebase of CANDIDATES.filter((c) => ["node-llama-cpp", "@grpc/grpc-js", "protobufjs"].includes(c.name)))
    sentences.push(...distinctTargets(await loadCodebase(codebase)).map((t) => t.query));
  const symbols = [
    ...new Set(chunks.filter((c) => c.kind !== "lines" && (c.symbols.at(-1)?.length ?? 0) > 5).map((c) => c.symbols.at(-1)!)),
  ];
  const picked = [
    ...seededShuffle(sentences, SEED).slice(0, Math.round(QUERIES * 0.7)),
    ...seededShuffle(symbols, SEED).slice(0, QUERIES - Math.round(QUERIES * 0.7)),
  ];
  return seededShuffle(picked, SEED + 1);
}

interface Timings {
  /** Ascending. */
  readonly wall: number[];
  /** Ascending: this process's CPU time (user + system), which other load on the machine barely changes. */
  readonly cpu: number[];
}

/**
 * Times each way of querying on each query in turn (not one way after another), so a change in
 * the machine's load during the run falls on all of them alike; ten queries warm up first.
 */
async function timeInterleaved(queries: readonly string[], ways: ReadonlyArray<(q: string) => Promise<unknown>>): Promise<Timings[]> {
  for (const q of queries.slice(0, 10)) for (const way of ways) await way(q);
  const timings = ways.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (const q of queries) {
    for (const [i, way] of ways.entries()) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      await way(q);
      timings[i]!.wall.push(performance.now() - started);
      const used = process.cpuUsage(cpu);
      timings[i]!.cpu.push((used.user + used.system) / 1000);
    }
  }
  for (const t of timings) {
    t.wall.sort((a, b) => a - b);
    t.cpu.sort((a, b) => a - b);
  }
  return timings;
}

async function queryLatency(work: string, all: readonly Chunk[]): Promise<ThroughputResult["latency"]> {
  // Whole files in a seeded order until 50,000, so neighbouring chunks of a file come along as they do in a real index.
  const byPath = new Map<string, Chunk[]>();
  for (const c of all) byPath.set(c.path, [...(byPath.get(c.path) ?? []), c]);
  const chunks: Chunk[] = [];
  for (const file of seededShuffle([...byPath.keys()].sort(), SEED)) {
    if (chunks.length >= LATENCY_CHUNKS) break;
    chunks.push(...byPath.get(file)!.slice(0, LATENCY_CHUNKS - chunks.length));
  }
  if (chunks.length < LATENCY_CHUNKS) throw new Error(`only ${chunks.length} chunks in node_modules' sources`);
  const embedder = new HashedTermsEmbedder();
  const store = new SqliteIndexStore(path.join(work, "latency", "index.db"));
  onCleanup(() => store.close());
  const repoKey = "bench/latency";
  console.log(
    `\n(c) query latency: ${chunks.length} real chunks (from ${new Set(chunks.map((c) => c.path)).size} files of (a)) in the SQLite store; vectors from ${embedder.label}, a hash of the words, not the sentence encoder (embedding them would take over an hour), the query vector likewise`,
  );
  await store.open(repoKey, embedder.label, 512);
  const insertStarted = performance.now();
  let last = performance.now();
  for (let i = 0; i < chunks.length; i += 1_000) {
    const batch = chunks.slice(i, i + 1_000);
    const vectors = await embedder.embed(batch.map((c) => c.text));
    await store.upsert(
      repoKey,
      batch.map((chunk, j) => ({ chunk, vector: vectors[j]! })),
      TAG,
    );
    if (performance.now() - last > 10_000) {
      last = performance.now();
      console.log(`  ${i + batch.length} chunks stored, ${((last - insertStarted) / 1000).toFixed(0)} s`);
    }
  }
  const insertMs = performance.now() - insertStarted;
  const queries = await realisticQueries(chunks);
  console.log(
    `  stored in ${(insertMs / 1000).toFixed(1)} s; ${queries.length} queries, e.g. ${queries
      .slice(0, 3)
      .map((q) => JSON.stringify(q))
      .join(", ")}`,
  );
  const retriever = new Retriever(store, embedder);
  const depth = 40;
  const vectors = new Map(queries.map((q) => [q, hashedVector(q)]));
  const load = os.loadavg()[0]!;
  const [hybrid, lexical, nearest] = await timeInterleaved(queries, [
    (q) => retriever.search(repoKey, TAG, q, 10),
    (q) => store.lexical(repoKey, q, depth, TAG),
    (q) => store.nearest(repoKey, vectors.get(q)!, depth, TAG),
  ]);
  const line = (name: string, t: Timings) => [name, ms(median(t.wall), 1), ms(percentile(t.wall, 95), 1), ms(median(t.cpu), 1)];
  console.log(
    table(
      ["query (k = 10; each list read 40 deep, as the retriever does)", "p50", "p95", "p50 CPU time"],
      [
        line("hybrid: Retriever.search (lexical + nearest + fusion)", hybrid!),
        line("lexical only: store.lexical", lexical!),
        line("nearest only: store.nearest", nearest!),
      ],
    ),
  );
  console.log(
    `  load average ${load.toFixed(2)} → ${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} CPUs during the queries; CPU time is this process's own, which other load barely changes`,
  );
  return {
    chunks: chunks.length,
    insertMs,
    queries: queries.length,
    hybrid: { p50: median(hybrid!.wall), p95: percentile(hybrid!.wall, 95), cpuP50: median(hybrid!.cpu) },
    lexicalP50: median(lexical!.wall),
    nearestP50: median(nearest!.wall),
  };
}

export async function runIndexThroughputBench(): Promise<ThroughputResult> {
  const started = performance.now();
  const work = mkdtempSync(path.join(os.tmpdir(), "bench-index-work-"));
  onCleanup(() => rmSync(work, { recursive: true, force: true }));
  const { result: chunkOnly, chunks } = await chunkOnlyThroughput(work);
  const { embedded, incremental } = await embeddedRuns(work);
  const latency = await queryLatency(work, chunks);
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  console.log(
    `\n${table(
      ["indexing", "files", "chunks", "time", "files/s", "chunks/s"],
      [
        [
          "(a) scan + chunk, no embeddings",
          String(chunkOnly.files),
          String(chunkOnly.chunks),
          ms(chunkOnly.scanMs + chunkOnly.chunkMs, 0),
          chunkOnly.filesPerSecond.toFixed(0),
          chunkOnly.chunksPerSecond.toFixed(0),
        ],
        [
          "(b) full index, sentence encoder, cold cache",
          String(embedded.files),
          String(embedded.chunks),
          ms(embedded.fullMs, 0),
          embedded.filesPerSecond.toFixed(2),
          embedded.chunksPerSecond.toFixed(2),
        ],
        [
          `    incremental after ${CHANGED_FILES} edited files`,
          String(incremental.stats.files),
          String(incremental.stats.embedded),
          ms(incremental.ms, 0),
          "",
          `${pct(incremental.share)} of full`,
        ],
      ],
    )}`,
  );
  console.log(`throughput and latency bench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return {
    chunkOnly,
    embedded,
    incremental,
    latency,
    targets: [
      {
        name: "index: incremental re-index after 10 edited files ÷ full run",
        ok: incremental.share <= INCREMENTAL_TARGET,
        detail: `${ms(incremental.ms, 0)} of ${ms(embedded.fullMs, 0)} = ${pct(incremental.share)}, target ≤ ${pct(INCREMENTAL_TARGET)}`,
      },
      {
        name: `index: hybrid query p50 at ${LATENCY_CHUNKS} chunks`,
        ok: latency.hybrid.p50 < LATENCY_TARGET_MS,
        detail: `p50 ${ms(latency.hybrid.p50, 1)} (p95 ${ms(latency.hybrid.p95, 1)}, p50 CPU time ${ms(latency.hybrid.cpuP50, 1)}), target < ${LATENCY_TARGET_MS} ms`,
      },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { installExitHandlers, runCleanups } = await import("./support.js");
  installExitHandlers();
  try {
    await runIndexThroughputBench();
  } finally {
    await runCleanups();
  }
}
