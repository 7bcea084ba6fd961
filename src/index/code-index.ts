import type { Embedder } from "../llm/types.js";
import { estimateCounter } from "../llm/tokens/token-counter.js";
import type { IndexCatalog } from "./catalog.js";
import { indexRepository, type IndexerDeps, type IndexProgress, type IndexStats, type VectorSource } from "./indexer.js";
import { ContextPack } from "./context-pack.js";
import { relatedCode, type CodeChange } from "./related-code.js";
import { Retriever, type RetrievedChunk } from "./retriever.js";
import type { Chunk, IndexStore, ScanResult } from "./types.js";

export interface CodeIndexDeps {
  readonly store: IndexStore;
  readonly embedder: Embedder;
  readonly vectors: VectorSource;
  readonly catalog: IndexCatalog;
  readonly scan: (root: string, options: { include?: readonly string[]; exclude?: readonly string[] }) => Promise<ScanResult>;
  readonly chunk: IndexerDeps["chunk"];
}

/** One search result as a tool shows it. */
export type CodeHit = Pick<Chunk, "path" | "startLine" | "endLine" | "symbols" | "text"> & { readonly score: number };

/** Chunks a task's context is chosen from, best first. */
const CONTEXT_DEPTH = 30;
/** Kinds that name a file's main symbols in the repository map. */
const MAP_KINDS = new Set(["class", "interface", "function", "struct", "enum", "trait", "type", "impl", "module", "method"]);

/**
 * The code index as the rest of the bot uses it: bring a checkout's index up to date, search it,
 * and write the context a model starts from (the best chunks for a task and a map of the repository).
 */
export class CodeIndex {
  readonly #deps: CodeIndexDeps;
  readonly #retriever: Retriever;

  constructor(deps: CodeIndexDeps) {
    this.#deps = deps;
    this.#retriever = new Retriever(deps.store, deps.embedder);
  }

  get embedder(): Embedder {
    return this.#deps.embedder;
  }

  async index(params: {
    readonly repoKey: string;
    readonly tag: string;
    readonly root: string;
    readonly commitSha?: string | null;
    readonly include?: readonly string[];
    readonly exclude?: readonly string[];
    readonly signal?: AbortSignal;
    readonly onProgress?: (p: IndexProgress) => void;
    readonly batchFiles?: number;
  }): Promise<IndexStats> {
    const scanOptions = { ...(params.include ? { include: params.include } : {}), ...(params.exclude ? { exclude: params.exclude } : {}) };
    return indexRepository({ ...this.#deps, scan: (root) => this.#deps.scan(root, scanOptions) }, params);
  }

  /** Whether a run has ever completed for the tag: an index still being built for the first time is not searched. */
  ready(repoKey: string, tag: string): boolean {
    return this.#deps.catalog.hasCompleteRun(repoKey, tag);
  }

  search(repoKey: string, tag: string, query: string, k: number, signal?: AbortSignal): Promise<RetrievedChunk[]> {
    return this.#retriever.search(repoKey, tag, query, k, signal);
  }

  /** Search bound to one repository's tag, each hit flat (location, symbols, code, score), as the `search_code` tool reads it. */
  searcher(repoKey: string, tag: string, signal?: AbortSignal): (query: string, k: number) => Promise<CodeHit[]> {
    return async (query, k) =>
      (await this.search(repoKey, tag, query, k, signal)).map(({ chunk, score }) => ({
        path: chunk.path,
        startLine: chunk.startLine,
        endLine: chunk.endLine,
        score,
        symbols: chunk.symbols,
        text: chunk.text,
      }));
  }

  /**
   * The best chunks for a task, whole, as many as fit `budgetTokens`. Read deep enough that a few
   * large chunks skipped for size still leave enough smaller ones to fill the budget.
   */
  async contextFor(repoKey: string, tag: string, query: string, budgetTokens: number, signal?: AbortSignal): Promise<string> {
    const hits = await this.search(repoKey, tag, query, CONTEXT_DEPTH, signal);
    const pack = new ContextPack(budgetTokens);
    return hits
      .map(({ chunk }) => pack.take(chunk))
      .filter((block) => block !== null)
      .join("\n\n");
  }

  /** What a review shows beside a diff (see `related-code.ts`): definitions, callers, then code near in meaning. */
  relatedCode(repoKey: string, tag: string, change: CodeChange, budgetTokens: number, signal?: AbortSignal): Promise<string> {
    return relatedCode({
      store: this.#deps.store,
      search: (query, k) => this.search(repoKey, tag, query, k, signal),
      repoKey,
      tag,
      ...change,
      budgetTokens,
    });
  }

  /** Files and their main symbols, in path order, within `budgetTokens`. */
  async repositoryMap(repoKey: string, tag: string, budgetTokens: number): Promise<string> {
    const entries = [...this.#deps.catalog.entries(repoKey, tag).values()].sort((a, b) => a.path.localeCompare(b.path));
    const lines: string[] = [];
    let used = 0;
    for (let i = 0; i < entries.length; i += 200) {
      const batch = entries.slice(i, i + 200);
      const chunks = await this.#deps.store.get(
        repoKey,
        batch.flatMap((e) => e.chunkIds),
      );
      const byPath = new Map<string, Chunk[]>();
      for (const c of chunks) byPath.set(c.path, [...(byPath.get(c.path) ?? []), c]);
      for (const entry of batch) {
        const symbols = [
          ...new Set(
            (byPath.get(entry.path) ?? [])
              .filter((c) => MAP_KINDS.has(c.kind) && c.symbols.length > 0 && c.symbols.length <= 2)
              .map((c) => c.symbols.join(".")),
          ),
        ];
        const line =
          symbols.length > 0 ? `${entry.path}: ${symbols.slice(0, 12).join(", ")}${symbols.length > 12 ? ", …" : ""}` : entry.path;
        const cost = estimateCounter.count(line) + 1;
        if (used + cost > budgetTokens) {
          lines.push(`… and ${entries.length - lines.length} more files`);
          return lines.join("\n");
        }
        lines.push(line);
        used += cost;
      }
    }
    return lines.join("\n");
  }
}
