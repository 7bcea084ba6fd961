import type { Database } from "../store/database.js";

export interface PostedFinding {
  readonly fingerprint: string;
  readonly headSha: string;
  readonly path: string;
  readonly line: number | null;
  readonly title: string;
}

/**
 * What was reviewed on each pull request: the heads reviewed (never two reviews for one head) and a
 * fingerprint of every finding posted (never the same finding twice, whatever moved around it).
 */
export class ReviewHistory {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Claims a head for review; false when it was claimed before (a redelivery, a second trigger). */
  claimHead(repoKey: string, prNumber: number, headSha: string): boolean {
    const result = this.#db
      .prepare("INSERT OR IGNORE INTO review_state (repo_key, pr_number, head_sha, reviewed_at) VALUES (?, ?, ?, ?)")
      .run(repoKey, prNumber, headSha, Date.now());
    return result.changes === 1;
  }

  /** Gives a claimed head back (the review failed before anything was posted), so a retry may take it. */
  releaseHead(repoKey: string, prNumber: number, headSha: string): void {
    this.#db
      .prepare("DELETE FROM review_state WHERE repo_key = ? AND pr_number = ? AND head_sha = ? AND review_id IS NULL")
      .run(repoKey, prNumber, headSha);
  }

  recordReview(repoKey: string, prNumber: number, headSha: string, reviewId: number, findings: readonly PostedFinding[]): void {
    const insert = this.#db.prepare(
      "INSERT OR IGNORE INTO review_findings (repo_key, pr_number, fingerprint, head_sha, path, line, title, posted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.#db.transaction(() => {
      this.#db
        .prepare("UPDATE review_state SET review_id = ? WHERE repo_key = ? AND pr_number = ? AND head_sha = ?")
        .run(reviewId, repoKey, prNumber, headSha);
      const now = Date.now();
      for (const f of findings) insert.run(repoKey, prNumber, f.fingerprint, f.headSha, f.path, f.line, f.title, now);
    })();
  }

  /** The newest head that got a review posted, for an incremental review of what came after it. */
  lastReviewedHead(repoKey: string, prNumber: number): string | null {
    const row = this.#db
      .prepare<[string, number], { head_sha: string }>(
        "SELECT head_sha FROM review_state WHERE repo_key = ? AND pr_number = ? AND review_id IS NOT NULL ORDER BY reviewed_at DESC, rowid DESC LIMIT 1",
      )
      .get(repoKey, prNumber);
    return row?.head_sha ?? null;
  }

  postedFingerprints(repoKey: string, prNumber: number): Set<string> {
    const rows = this.#db
      .prepare<[string, number], { fingerprint: string }>("SELECT fingerprint FROM review_findings WHERE repo_key = ? AND pr_number = ?")
      .all(repoKey, prNumber);
    return new Set(rows.map((r) => r.fingerprint));
  }
}
