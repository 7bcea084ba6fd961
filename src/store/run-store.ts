import type { Database } from "./database.js";

export interface StepRecord {
  readonly step: number;
  readonly message: unknown;
  readonly toolResults: unknown;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly modelMs: number;
  readonly toolsMs: number;
}

/** Records every agent run and step, so a run can be inspected and exported after the fact. */
export class RunStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  start(params: { jobId: number | null; repoKey: string; task: string; model: string }): number {
    const { lastInsertRowid } = this.#db
      .prepare("INSERT INTO runs (job_id, repo_key, task, model, started_at) VALUES (?, ?, ?, ?, ?)")
      .run(params.jobId, params.repoKey, params.task, params.model, Date.now());
    return Number(lastInsertRowid);
  }

  step(runId: number, record: StepRecord): void {
    this.#db
      .prepare(
        `INSERT OR REPLACE INTO steps (run_id, step, message, tool_results, prompt_tokens, completion_tokens, model_ms, tools_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(runId, record.step, JSON.stringify(record.message), JSON.stringify(record.toolResults), record.promptTokens, record.completionTokens, record.modelMs, record.toolsMs);
  }

  finish(runId: number, params: { stopReason: string; steps: number; promptTokens: number; completionTokens: number }): void {
    this.#db
      .prepare("UPDATE runs SET stop_reason = ?, steps = ?, prompt_tokens = ?, completion_tokens = ?, finished_at = ? WHERE id = ?")
      .run(params.stopReason, params.steps, params.promptTokens, params.completionTokens, Date.now(), runId);
  }

  steps(runId: number): StepRecord[] {
    return this.#db
      .prepare<[number], { step: number; message: string; tool_results: string; prompt_tokens: number; completion_tokens: number; model_ms: number; tools_ms: number }>(
        "SELECT * FROM steps WHERE run_id = ? ORDER BY step",
      )
      .all(runId)
      .map((r) => ({ step: r.step, message: JSON.parse(r.message) as unknown, toolResults: JSON.parse(r.tool_results) as unknown, promptTokens: r.prompt_tokens, completionTokens: r.completion_tokens, modelMs: r.model_ms, toolsMs: r.tools_ms }));
  }
}
