/** The code index's shared shapes: what the scanner finds, what the chunker cuts, what the stores keep. */

/** A file the scanner will index. */
export interface ScannedFile {
  /** Repository-relative, with `/` separators. */
  readonly path: string;
  /** The linguist language name (`TypeScript`, `Python`, …), or null when unknown. */
  readonly language: string | null;
  readonly size: number;
}

export type SkipReason = "excluded" | "binary" | "vendored" | "generated" | "minified" | "too-large" | "unreadable";

export interface SkippedFile {
  readonly path: string;
  readonly reason: SkipReason;
  readonly detail?: string;
}

export interface ScanResult {
  readonly files: readonly ScannedFile[];
  readonly skipped: readonly SkippedFile[];
}

/** A piece of a file that is embedded and searched on its own. */
export interface Chunk {
  /** Stable across runs for the same path and content (a hash), so unchanged chunks are never re-embedded. */
  readonly id: string;
  readonly path: string;
  readonly language: string | null;
  /** 1-based, inclusive. */
  readonly startLine: number;
  readonly endLine: number;
  /** `function`, `method`, `class`, `interface`, … from the syntax tree, or `lines` for the line-window fallback. */
  readonly kind: string;
  /** Names of the enclosing symbols, outermost first, ending with the chunk's own (`["Parser", "parse"]`). */
  readonly symbols: readonly string[];
  /** The declaration's first line(s), up to its body. */
  readonly signature: string | null;
  readonly text: string;
  /** sha256 of `text`: the key of the embedding cache. */
  readonly contentHash: string;
}

export interface SearchHit {
  readonly chunk: Chunk;
  readonly score: number;
}

/**
 * Where chunks and their vectors live. Chunks are content-addressed and shared between branches;
 * a tag (a branch name) marks which chunks belong to which branch. One store holds many
 * repositories, each in its own space. Both stores pass the same test suite.
 */
export interface IndexStore {
  /**
   * Prepares a repository's space for vectors of `dimensions` from `model`; a change of either empties
   * it. True when the space is new and empty (first use, another model, or its data was lost), so
   * whatever a catalog says is in it is not.
   */
  open(repo: string, model: string, dimensions: number): Promise<boolean>;
  /** Adds or replaces chunks with their vectors, tagged `tag`. */
  upsert(repo: string, items: ReadonlyArray<{ readonly chunk: Chunk; readonly vector: readonly number[] }>, tag: string): Promise<void>;
  addTag(repo: string, ids: readonly string[], tag: string): Promise<void>;
  /** Removes the tag; a chunk left with no tag is deleted. */
  removeTag(repo: string, ids: readonly string[], tag: string): Promise<void>;
  delete(repo: string, ids: readonly string[]): Promise<void>;
  /** Lexical search (identifiers split: camelCase, snake_case, paths), best first. */
  lexical(repo: string, query: string, k: number, tag: string): Promise<SearchHit[]>;
  /** Nearest vectors (cosine), best first. */
  nearest(repo: string, vector: readonly number[], k: number, tag: string): Promise<SearchHit[]>;
  get(repo: string, ids: readonly string[]): Promise<Chunk[]>;
  count(repo: string, tag?: string): Promise<number>;
  close(): Promise<void>;
}
