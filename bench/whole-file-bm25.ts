import BetterSqlite3 from "better-sqlite3";

/**
 * The retrieval bench's baseline: one FTS5 row per file, the default tokenizer, bm25, the query's
 * words OR-ed — plain BM25 over whole files, as code search papers use it.
 */
export class WholeFileBm25 {
  readonly #db = new BetterSqlite3(":memory:");
  constructor(files: ReadonlyArray<{ readonly path: string; readonly text: string }>) {
    this.#db.exec("CREATE VIRTUAL TABLE files USING fts5(path UNINDEXED, body)");
    const insert = this.#db.prepare("INSERT INTO files (path, body) VALUES (?, ?)");
    this.#db.transaction(() => files.forEach((f) => insert.run(f.path, f.text)))();
  }
  search(query: string, k: number): string[] {
    const words = [...new Set(query.match(/[\p{L}\p{N}_]+/gu) ?? [])];
    if (words.length === 0) return [];
    const match = words.map((w) => `"${w}"`).join(" OR ");
    return this.#db.prepare("SELECT path FROM files WHERE files MATCH ? ORDER BY bm25(files) LIMIT ?").pluck().all(match, k) as string[];
  }
  close(): void {
    this.#db.close();
  }
}
