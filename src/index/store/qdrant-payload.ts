import type { Chunk } from "../types.js";
import { lexicalFields } from "./lexical-fields.js";

/** What each point carries: the chunk, its repository and branches, and the split terms for lexical search. */
export interface ChunkPayload {
  readonly chunkId: string;
  readonly repository: string;
  readonly tags: string[];
  readonly path: string;
  readonly language: string | null;
  readonly symbols: string[];
  readonly startLine: number;
  readonly endLine: number;
  readonly kind: string;
  readonly signature: string | null;
  readonly text: string;
  readonly contentHash: string;
  /** Every term of path, symbols and text, space-separated, under a full-text index (whitespace tokenizer). */
  readonly lexical: string;
  readonly [key: string]: unknown;
}

/** The fields read back for a chunk; `lexical` stays on the server. */
export const CHUNK_FIELDS = [
  "chunkId",
  "path",
  "language",
  "symbols",
  "startLine",
  "endLine",
  "kind",
  "signature",
  "text",
  "contentHash",
  "tags",
];

export function chunkPayload(chunk: Chunk, repository: string, tags: readonly string[]): ChunkPayload {
  const fields = lexicalFields(chunk);
  return {
    chunkId: chunk.id,
    repository,
    tags: [...tags],
    path: chunk.path,
    language: chunk.language,
    symbols: [...chunk.symbols],
    startLine: chunk.startLine,
    endLine: chunk.endLine,
    kind: chunk.kind,
    signature: chunk.signature,
    text: chunk.text,
    contentHash: chunk.contentHash,
    lexical: [fields.path, fields.symbols, fields.body].filter((part) => part !== "").join(" "),
  };
}

/** Reads a chunk from a point's payload; null for a point that is not one of ours. */
export function chunkFromPayload(payload: Record<string, unknown> | null | undefined): Chunk | null {
  if (!payload) return null;
  const { chunkId, path, language, symbols, startLine, endLine, kind, signature, text, contentHash } = payload;
  if (typeof chunkId !== "string" || typeof path !== "string" || typeof text !== "string" || typeof contentHash !== "string") return null;
  return {
    id: chunkId,
    path,
    language: typeof language === "string" ? language : null,
    startLine: typeof startLine === "number" ? startLine : 1,
    endLine: typeof endLine === "number" ? endLine : 1,
    kind: typeof kind === "string" ? kind : "lines",
    symbols: Array.isArray(symbols) ? symbols.filter((symbol): symbol is string => typeof symbol === "string") : [],
    signature: typeof signature === "string" ? signature : null,
    text,
    contentHash,
  };
}

export function tagsOf(payload: Record<string, unknown> | null | undefined): string[] {
  const tags = payload?.tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === "string") : [];
}
