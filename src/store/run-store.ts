import type { Database } from "./database.js";

export interface StepRecord {
  readonly step: number;
  readonly message: unknown;
  readonly toolResults: unknown;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly modelMs: number;
  readonly toolsMs: number;
  /** Tokens of the request by the loop's own count (the window it kept to). */
  readonly contextTokens: number;
  /** The tool mode, the done reason, and what was repaired or compacted in this step. */
  readonly notes: unknown;
}

export interface RunRecord {
  readonly id: number;
  readonly jobId: number | null;
  readonly repoKey: string;
  readonly task: string;
  readonly model: string;
  readonly stopReason: string | null;
  readonly steps: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly startedAt: number;
  readonly finishedAt: number | null;
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
        `INSERT OR REPLACE INTO steps (run_id, step, message, tool_results, prompt_tokens, completion_tokens, model_ms, tools_ms, context_tokens, notes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        runId,
        record.step,
        JSON.stringify(record.message),
        JSON.stringify(record.toolResults),
        record.promptTokens,
        record.completionTokens,
        record.modelMs,
        record.toolsMs,
        record.contextTokens,
        JSON.stringify(record.notes),
      );
  }

  finish(runId: number, params: { stopReason: string; steps: number; promptTokens: number; completionTokens: number }): void {
    this.#db
      .prepare("UPDATE runs SET stop_reason = ?, steps = ?, prompt_tokens = ?, completion_tokens = ?, finished_at = ? WHERE id = ?")
      .run(params.stopReason, params.steps, params.promptTokens, params.completionTokens, Date.now(), runId);
  }

  get(runId: number): RunRecord | null {
    const row = this.#db
      .prepare<
        [number],
        {
          id: number;
          job_id: number | null;
          repo_key: string;
          task: string;
          model: string;
          stop_reason: string | null;
          steps: number;
          prompt_tokens: number;
          completion_tokens: number;
          started_at: number;
          finished_at: number | null;
        }
      >("SELECT * FROM runs WHERE id = ?")
      .get(runId);
    if (!row) return null;
    return {
      id: row.id,
      jobId: row.job_id,
      repoKey: row.repo_key,
      task: row.task,
      model: row.model,
      stopReason: row.stop_reason,
      steps: row.steps,
      promptTokens: row.prompt_tokens,
      completionTokens: row.completion_tokens,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    };
  }

  /** The run and its steps as JSON Lines: a `run` record, then one `step` record per step. */
  exportJsonl(runId: number): string | null {
    const run = this.get(runId);
    if (!run) return null;
    const lines = [JSON.stringify({ type: "run", ...run }), ...this.steps(runId).map((step) => JSON.stringify({ type: "step", ...step }))];
    return `${lines.join("\n")}\n`;
  }

  steps(runId: number): StepRecord[] {
    return this.#db
      .prepare<
        [number],
        {
          step: number;
          message: string;
          tool_results: string;
          prompt_tokens: number;
          completion_tokens: number;
          model_ms: number;
          tools_ms: number;
          context_tokens: number;
          notes: string;
        }
      >("SELECT * FROM steps WHERE run_id = ? ORDER BY step")
      .all(runId)
      .map((r) => ({
        step: r.step,
        message: JSON.parse(r.message) as unknown,
        toolResults: JSON.parse(r.tool_results) as unknown,
        promptTokens: r.prompt_tokens,
        completionTokens: r.completion_tokens,
        modelMs: r.model_ms,
        toolsMs: r.tools_ms,
        contextTokens: r.context_tokens,
        notes: JSON.parse(r.notes) as unknown,
      }));
  }
}
