import { createHash } from "node:crypto";
import type { Chunk } from "../types.js";
import type { LineTable } from "./line-table.js";
import type { RawChunk } from "./syntax-chunker.js";

export interface SourceFile {
  /** Repository-relative, with `/` separators. */
  readonly path: string;
  /** The linguist language name, or null when unknown. */
  readonly language: string | null;
  readonly text: string;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Final chunks: blank lines trimmed from the edges, text and hashes attached, ids assigned.
 * An id is a hash of the path, the symbols, the content hash and the occurrence of that same
 * (symbols, content) pair in the file, so it does not move when lines are added above the chunk,
 * changes when the chunk's own text does, and stays distinct for two identical chunks.
 * Ids are 32 hex digits (128 bits): enough against collisions, and the size of a UUID for stores
 * that want one.
 */
export function toChunks(file: SourceFile, table: LineTable, raw: readonly RawChunk[]): Chunk[] {
  const chunks: Chunk[] = [];
  const occurrences = new Map<string, number>();
  for (const piece of raw) {
    let { start, end } = piece;
    let text: string;
    if (piece.text !== undefined) {
      if (piece.text.trim() === "") continue;
      text = piece.text;
    } else {
      while (start <= end && table.isBlank(start)) start++;
      while (end >= start && table.isBlank(end)) end--;
      if (start > end) continue;
      text = table.text(start, end);
    }
    const contentHash = sha256(text);
    const { kind, symbols, signature } = piece.meta;
    const key = JSON.stringify([symbols, contentHash]);
    const occurrence = occurrences.get(key) ?? 0;
    occurrences.set(key, occurrence + 1);
    chunks.push({
      id: sha256(JSON.stringify([file.path, symbols, contentHash, occurrence])).slice(0, 32),
      path: file.path,
      language: file.language,
      startLine: start + 1,
      endLine: end + 1,
      kind,
      symbols: [...symbols],
      signature,
      text,
      contentHash,
    });
  }
  return chunks;
}
