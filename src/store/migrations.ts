/** Schema steps, applied in order; never edit a released step, add a new one. */
export const migrations: readonly string[] = [
  `
  CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    repo_key      TEXT NOT NULL,
    subject       TEXT NOT NULL,
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    exclusive     INTEGER NOT NULL DEFAULT 1,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 2,
    run_after     INTEGER NOT NULL DEFAULT 0,
    owner         TEXT,
    cancel_requested_by TEXT,
    checkpoint    TEXT NOT NULL DEFAULT '{}',
    last_error    TEXT,
    created_at    INTEGER NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER
  );
  CREATE INDEX jobs_claim ON jobs (status, run_after, id);
  CREATE INDEX jobs_subject ON jobs (repo_key, subject, status);

  CREATE TABLE job_keys (
    key     TEXT PRIMARY KEY,
    job_id  INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE
  );

  CREATE TABLE runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id        INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
    repo_key      TEXT NOT NULL,
    task          TEXT NOT NULL,
    model         TEXT NOT NULL,
    stop_reason   TEXT,
    steps         INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER
  );

  CREATE TABLE steps (
    run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step          INTEGER NOT NULL,
    message       TEXT NOT NULL,
    tool_results  TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    model_ms      INTEGER NOT NULL,
    tools_ms      INTEGER NOT NULL,
    PRIMARY KEY (run_id, step)
  );
  `,
  `
  ALTER TABLE steps ADD COLUMN context_tokens INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE steps ADD COLUMN notes TEXT NOT NULL DEFAULT '{}';
  `,
  `
  CREATE TABLE index_files (
    repo_key     TEXT NOT NULL,
    tag          TEXT NOT NULL,
    path         TEXT NOT NULL,
    file_hash    TEXT NOT NULL,
    chunk_ids    TEXT NOT NULL,
    PRIMARY KEY (repo_key, tag, path)
  );
  CREATE INDEX index_files_hash ON index_files (repo_key, file_hash);

  CREATE TABLE index_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_key     TEXT NOT NULL,
    tag          TEXT NOT NULL,
    model        TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')),
    commit_sha   TEXT,
    stats        TEXT NOT NULL DEFAULT '{}',
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER
  );
  CREATE INDEX index_runs_repo ON index_runs (repo_key, tag, id);
  `,
  `
  CREATE TABLE review_state (
    repo_key     TEXT NOT NULL,
    pr_number    INTEGER NOT NULL,
    head_sha     TEXT NOT NULL,
    review_id    INTEGER,
    reviewed_at  INTEGER NOT NULL,
    PRIMARY KEY (repo_key, pr_number, head_sha)
  );
  CREATE TABLE review_findings (
    repo_key     TEXT NOT NULL,
    pr_number    INTEGER NOT NULL,
    fingerprint  TEXT NOT NULL,
    head_sha     TEXT NOT NULL,
    path         TEXT NOT NULL,
    line         INTEGER,
    title        TEXT NOT NULL,
    posted_at    INTEGER NOT NULL,
    PRIMARY KEY (repo_key, pr_number, fingerprint)
  );
  `,
];
