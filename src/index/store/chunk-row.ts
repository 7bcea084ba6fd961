import type { Chunk } from "../types.js";

/** A row of a space's chunks table, as SQLite returns it. */
export interface ChunkRow {
  readonly rowid: number;
  readonly id: string;
  readonly path: string;
  readonly language: string | null;
  readonly start_line: number;
  readonly end_line: number;
  readonly kind: string;
  readonly symbols: string;
  readonly signature: string | null;
  readonly text: string;
  readonly content_hash: string;
}

export function chunkFromRow(row: ChunkRow): Chunk {
  return {
    id: row.id,
    path: row.path,
    language: row.language,
    startLine: row.start_line,
    endLine: row.end_line,
    kind: row.kind,
    symbols: parseSymbols(row.symbols),
    signature: row.signature,
    text: row.text,
    contentHash: row.content_hash,
  };
}

function parseSymbols(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((symbol): symbol is string => typeof symbol === "string") : [];
}
