import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Embedder } from "../llm/types.js";
import type { CatalogEntry, IndexCatalog } from "./catalog.js";
import type { Chunk, IndexStore, ScanResult, ScannedFile } from "./types.js";

/** Turns chunks into vectors, embedding only what is not cached for the embedder's model (the EmbeddingCache). */
export interface VectorSource {
  embedMissing(
    embedder: Embedder,
    chunks: readonly Chunk[],
    options?: { signal?: AbortSignal },
  ): Promise<{ vectors: number[][]; embedded: number; cached: number }>;
}

export interface IndexerDeps {
  readonly scan: (root: string) => Promise<ScanResult>;
  readonly chunk: (file: { path: string; language: string | null; text: string }) => Promise<Chunk[]>;
  readonly store: IndexStore;
  readonly embedder: Embedder;
  readonly vectors: VectorSource;
  readonly catalog: IndexCatalog;
}

export interface IndexProgress {
  readonly phase: "scan" | "index" | "prune" | "done";
  readonly filesTotal: number;
  readonly filesDone: number;
  readonly chunks: number;
  readonly embedded: number;
  readonly elapsedMs: number;
}

export interface IndexStats {
  readonly files: number;
  /** Files whose content was unchanged since the last run of this tag. */
  readonly unchanged: number;
  /** Files whose content was already indexed under another tag: tagged, not chunked again. */
  readonly reused: number;
  readonly chunked: number;
  readonly removed: number;
  readonly chunks: number;
  readonly embedded: number;
  readonly cached: number;
  readonly skipped: ScanResult["skipped"];
  readonly durationMs: number;
}

/** Files chunked and embedded together: large enough for efficient embedding batches, small enough to resume close to where a run stopped. */
const BATCH_FILES = 32;

/**
 * Brings a repository's index for one branch tag up to date with a checkout: new and changed files
 * are chunked, embedded (through the cache) and stored; unchanged files are skipped; content known
 * under another tag is tagged; files that are gone lose the tag. Each batch reaches the store before
 * the catalog records it, so a run killed halfway leaves a catalog that the next run resumes from.
 */
export async function indexRepository(
  deps: IndexerDeps,
  params: {
    readonly repoKey: string;
    readonly tag: string;
    readonly root: string;
    readonly commitSha?: string | null;
    readonly signal?: AbortSignal;
    readonly onProgress?: (p: IndexProgress) => void;
    /** Files per batch; each finished batch is a point a killed run resumes from. */
    readonly batchFiles?: number;
  },
): Promise<IndexStats> {
  const started = Date.now();
  const { repoKey, tag, root, signal } = params;
  const dimensions = deps.embedder.dimensions ?? (await deps.embedder.embed(["dimension probe"], signal))[0]?.length ?? 0;
  // A space opened empty (another model, or a store whose data is gone) holds nothing the catalog lists.
  if (await deps.store.open(repoKey, deps.embedder.label, dimensions)) deps.catalog.forget(repoKey);
  const runId = deps.catalog.beginRun(repoKey, tag, deps.embedder.label, params.commitSha ?? null);
  const totals = { unchanged: 0, reused: 0, chunked: 0, removed: 0, chunks: 0, embedded: 0, cached: 0 };
  let filesTotal = 0;
  let filesDone = 0;
  const progress = (phase: IndexProgress["phase"]) =>
    params.onProgress?.({
      phase,
      filesTotal,
      filesDone,
      chunks: totals.chunks,
      embedded: totals.embedded,
      elapsedMs: Date.now() - started,
    });
  try {
    progress("scan");
    const scan = await deps.scan(root);
    filesTotal = scan.files.length;
    const known = deps.catalog.entries(repoKey, tag);
    const batchFiles = params.batchFiles ?? BATCH_FILES;
    for (let i = 0; i < scan.files.length; i += batchFiles) {
      signal?.throwIfAborted();
      const batch = scan.files.slice(i, i + batchFiles);
      await indexBatch(deps, { repoKey, tag, root, signal }, batch, known, totals);
      filesDone += batch.length;
      progress("index");
    }
    progress("prune");
    const present = new Set(scan.files.map((f) => f.path));
    const gone = [...known.values()].filter((e) => !present.has(e.path));
    if (gone.length > 0) {
      await deps.store.removeTag(
        repoKey,
        gone.flatMap((e) => e.chunkIds),
        tag,
      );
      deps.catalog.remove(
        repoKey,
        tag,
        gone.map((e) => e.path),
      );
      totals.removed = gone.length;
    }
    const stats: IndexStats = { files: scan.files.length, ...totals, skipped: scan.skipped, durationMs: Date.now() - started };
    deps.catalog.finishRun(runId, "complete", { ...stats, skipped: scan.skipped.length });
    progress("done");
    return stats;
  } catch (error) {
    deps.catalog.finishRun(runId, "failed", { ...totals, error: (error as Error).message });
    throw error;
  }
}

async function indexBatch(
  deps: IndexerDeps,
  params: { repoKey: string; tag: string; root: string; signal?: AbortSignal | undefined },
  files: readonly ScannedFile[],
  known: ReadonlyMap<string, CatalogEntry>,
  totals: { unchanged: number; reused: number; chunked: number; chunks: number; embedded: number; cached: number },
): Promise<void> {
  const { repoKey, tag } = params;
  const entries: CatalogEntry[] = [];
  const retagged: string[] = [];
  const stale: string[] = [];
  const fresh: Array<{ file: ScannedFile; hash: string; chunks: Chunk[] }> = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(path.join(params.root, file.path), "utf8");
    } catch {
      // Gone or unreadable since the scan: it is left out like any other skipped file.
      continue;
    }
    const hash = createHash("sha256").update(file.path).update("\0").update(text).digest("hex");
    const previous = known.get(file.path);
    if (previous?.fileHash === hash) {
      totals.unchanged++;
      continue;
    }
    if (previous) stale.push(...previous.chunkIds);
    const elsewhere = deps.catalog.chunksForContent(repoKey, file.path, hash);
    if (elsewhere) {
      retagged.push(...elsewhere);
      entries.push({ path: file.path, fileHash: hash, chunkIds: elsewhere });
      totals.reused++;
      continue;
    }
    fresh.push({ file, hash, chunks: await deps.chunk({ path: file.path, language: file.language, text }) });
  }
  const chunks = fresh.flatMap((f) => f.chunks);
  if (chunks.length > 0) {
    const { vectors, embedded, cached } = await deps.vectors.embedMissing(
      deps.embedder,
      chunks,
      params.signal ? { signal: params.signal } : {},
    );
    await deps.store.upsert(
      repoKey,
      chunks.map((chunk, i) => ({ chunk, vector: vectors[i] as number[] })),
      tag,
    );
    totals.embedded += embedded;
    totals.cached += cached;
    totals.chunks += chunks.length;
  }
  for (const f of fresh) entries.push({ path: f.file.path, fileHash: f.hash, chunkIds: f.chunks.map((c) => c.id) });
  totals.chunked += fresh.length;
  if (retagged.length > 0) await deps.store.addTag(repoKey, retagged, tag);
  const kept = new Set(entries.flatMap((e) => e.chunkIds));
  const dropped = stale.filter((id) => !kept.has(id));
  if (dropped.length > 0) await deps.store.removeTag(repoKey, dropped, tag);
  deps.catalog.put(repoKey, tag, entries);
}
