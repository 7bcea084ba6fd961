import type { Database } from "../store/database.js";

export interface CatalogEntry {
  readonly path: string;
  readonly fileHash: string;
  readonly chunkIds: readonly string[];
}

export interface IndexRun {
  readonly id: number;
  readonly repoKey: string;
  readonly tag: string;
  readonly model: string;
  readonly status: "running" | "complete" | "failed";
  readonly commitSha: string | null;
  readonly stats: Record<string, unknown>;
  readonly startedAt: number;
  readonly finishedAt: number | null;
}

/**
 * What is indexed, per repository and branch tag: each file's content hash and the chunks cut from
 * it. A file whose hash is unchanged is skipped; the same content under another tag is tagged, not
 * embedded again. Entries are written file by file as their chunks reach the store, so a run that
 * is killed halfway resumes where it stopped, and only a run that reached the end is `complete`.
 */
export class IndexCatalog {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  entries(repoKey: string, tag: string): Map<string, CatalogEntry> {
    const rows = this.#db
      .prepare<[string, string], { path: string; file_hash: string; chunk_ids: string }>(
        "SELECT path, file_hash, chunk_ids FROM index_files WHERE repo_key = ? AND tag = ?",
      )
      .all(repoKey, tag);
    return new Map(rows.map((r) => [r.path, { path: r.path, fileHash: r.file_hash, chunkIds: JSON.parse(r.chunk_ids) as string[] }]));
  }

  /** The chunks of this content under any other tag of the repository, for a branch switch or a rename back. */
  chunksForContent(repoKey: string, path: string, fileHash: string): readonly string[] | null {
    const row = this.#db
      .prepare<[string, string, string], { chunk_ids: string }>(
        "SELECT chunk_ids FROM index_files WHERE repo_key = ? AND path = ? AND file_hash = ? LIMIT 1",
      )
      .get(repoKey, path, fileHash);
    return row ? (JSON.parse(row.chunk_ids) as string[]) : null;
  }

  put(repoKey: string, tag: string, entries: readonly CatalogEntry[]): void {
    const statement = this.#db.prepare(
      "INSERT OR REPLACE INTO index_files (repo_key, tag, path, file_hash, chunk_ids) VALUES (?, ?, ?, ?, ?)",
    );
    this.#db.transaction(() => {
      for (const e of entries) statement.run(repoKey, tag, e.path, e.fileHash, JSON.stringify(e.chunkIds));
    })();
  }

  remove(repoKey: string, tag: string, paths: readonly string[]): void {
    const statement = this.#db.prepare("DELETE FROM index_files WHERE repo_key = ? AND tag = ? AND path = ?");
    this.#db.transaction(() => {
      for (const p of paths) statement.run(repoKey, tag, p);
    })();
  }

  /** Forgets a tag (a deleted branch) or, without a tag, the whole repository. */
  forget(repoKey: string, tag?: string): void {
    if (tag === undefined) this.#db.prepare("DELETE FROM index_files WHERE repo_key = ?").run(repoKey);
    else this.#db.prepare("DELETE FROM index_files WHERE repo_key = ? AND tag = ?").run(repoKey, tag);
  }

  beginRun(repoKey: string, tag: string, model: string, commitSha: string | null): number {
    const { lastInsertRowid } = this.#db
      .prepare("INSERT INTO index_runs (repo_key, tag, model, status, commit_sha, started_at) VALUES (?, ?, ?, 'running', ?, ?)")
      .run(repoKey, tag, model, commitSha, Date.now());
    return Number(lastInsertRowid);
  }

  finishRun(runId: number, status: "complete" | "failed", stats: Record<string, unknown>): void {
    this.#db
      .prepare("UPDATE index_runs SET status = ?, stats = ?, finished_at = ? WHERE id = ?")
      .run(status, JSON.stringify(stats), Date.now(), runId);
  }

  hasCompleteRun(repoKey: string, tag: string): boolean {
    return (
      this.#db
        .prepare<[string, string], { one: number }>(
          "SELECT 1 AS one FROM index_runs WHERE repo_key = ? AND tag = ? AND status = 'complete' LIMIT 1",
        )
        .get(repoKey, tag) !== undefined
    );
  }

  /** The latest run of a repository's tag, complete or not. */
  lastRun(repoKey: string, tag: string): IndexRun | null {
    const row = this.#db
      .prepare<
        [string, string],
        {
          id: number;
          repo_key: string;
          tag: string;
          model: string;
          status: IndexRun["status"];
          commit_sha: string | null;
          stats: string;
          started_at: number;
          finished_at: number | null;
        }
      >("SELECT * FROM index_runs WHERE repo_key = ? AND tag = ? ORDER BY id DESC LIMIT 1")
      .get(repoKey, tag);
    if (!row) return null;
    return {
      id: row.id,
      repoKey: row.repo_key,
      tag: row.tag,
      model: row.model,
      status: row.status,
      commitSha: row.commit_sha,
      stats: JSON.parse(row.stats) as Record<string, unknown>,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    };
  }
}
