import { setTimeout as sleep } from "node:timers/promises";
import { LlmError } from "../llm/llm-error.js";
import type { ChatMessage, LlmProvider, ToolCall } from "../llm/types.js";
import type { RunStore } from "../store/run-store.js";
import { callTool } from "../tools/call-tool.js";
import { toolSpec, type Tool, type ToolContext, type ToolResult } from "../tools/tool.js";
import { nudgeMessage, StuckDetector } from "./stuck-detector.js";
import { budgetConditions, type Budgets, type StopCondition, type StopReason } from "./stop-conditions.js";

export interface AgentRunOptions {
  readonly provider: LlmProvider;
  readonly tools: ReadonlyMap<string, Tool>;
  readonly system: string;
  readonly task: string;
  readonly budgets: Budgets;
  readonly toolContext: Omit<ToolContext, "signal">;
  readonly signal: AbortSignal;
  readonly recorder?: { readonly store: RunStore; readonly runId: number };
  /** Called after every step (for progress comments). */
  readonly onStep?: (progress: { step: number; tokens: number; lastTool: string | null }) => void;
  readonly extraStopConditions?: readonly StopCondition[];
  /** Waits between retries of a model call that failed for a passing reason. */
  readonly retryDelaysMs?: readonly number[];
  /** Limits of the stuck detector: identical calls in a row, and steps without changing a file. */
  readonly stuck?: { readonly repeatLimit?: number; readonly idleLimit?: number };
}

export interface AgentResult {
  readonly stopReason: StopReason;
  readonly summary: string | null;
  readonly steps: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly durationMs: number;
  /** The model error that ended the run, with what to do about it. */
  readonly error?: { readonly message: string; readonly hint: string };
  /** Why the stuck detector stopped the run. */
  readonly stuck?: string;
}

/** Tools whose success means the workspace changed (run_command may too, but usually only reads). */
const changingTools = new Set(["write_file", "edit_file"]);

const NUDGE = "You did not call a tool. Continue the task with the tools, or call finish with a summary if you are done.";

/**
 * The agent loop: ask the model, run the tools it calls, feed the results back, until it calls
 * `finish` or a stop condition holds. Tool failures are data for the model; only an unusable model
 * or cancellation ends the loop early.
 */
export async function runAgent(options: AgentRunOptions): Promise<AgentResult> {
  const started = Date.now();
  const deadline = AbortSignal.timeout(options.budgets.wallMs);
  const signal = AbortSignal.any([options.signal, deadline]);
  const specs = [...options.tools.values()].map(toolSpec);
  const conditions = [...budgetConditions(options.budgets), ...(options.extraStopConditions ?? [])];
  const messages: ChatMessage[] = [
    { role: "system", content: options.system },
    { role: "user", content: options.task },
  ];
  let step = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  let nudged = false;
  const stuck = new StuckDetector(options.stuck);

  const result = (stopReason: StopReason, extra: Partial<AgentResult> = {}): AgentResult => ({
    stopReason,
    summary: null,
    steps: step,
    promptTokens,
    completionTokens,
    durationMs: Date.now() - started,
    ...extra,
  });
  const interrupted = (): StopReason => (options.signal.aborted ? "cancelled" : "time-budget");

  for (;;) {
    if (signal.aborted) return result(interrupted());
    const state = { step, elapsedMs: Date.now() - started, tokens: promptTokens + completionTokens };
    const stop = conditions.map((c) => c(state)).find((r) => r !== null);
    if (stop) return result(stop);
    step++;

    const modelStarted = Date.now();
    let reply;
    try {
      reply = await chatWithRetry(options, messages, specs, signal);
    } catch (error) {
      if (signal.aborted) return result(interrupted());
      const llm = error instanceof LlmError ? error : undefined;
      return result("model-error", { error: { message: (error as Error).message, hint: llm?.hint ?? "" } });
    }
    const modelMs = Date.now() - modelStarted;
    promptTokens += reply.usage.promptTokens;
    completionTokens += reply.usage.completionTokens;
    messages.push({ role: "assistant", content: reply.message.content, toolCalls: reply.message.toolCalls });

    const toolsStarted = Date.now();
    const results: Array<{ call: ToolCall; result: ToolResult }> = [];
    for (const call of reply.message.toolCalls) {
      if (signal.aborted) break;
      const toolResult = await callTool(options.tools, call.name, call.arguments, { ...options.toolContext, signal });
      results.push({ call, result: toolResult });
      messages.push({ role: "tool", toolCallId: call.id, toolName: call.name, content: formatResult(toolResult) });
      if (!toolResult.isError && toolResult.finished) break;
    }
    if (results.length === 0) {
      if (nudged) {
        record(options, step, reply.message, results, reply.usage, modelMs, 0);
        return result("no-tool-call", { summary: reply.message.content.trim() || null });
      }
      nudged = true;
      messages.push({ role: "user", content: NUDGE });
    } else {
      nudged = false;
    }
    record(options, step, reply.message, results, reply.usage, modelMs, Date.now() - toolsStarted);
    options.onStep?.({ step, tokens: promptTokens + completionTokens, lastTool: results.at(-1)?.call.name ?? null });

    const finished = results.find((r) => !r.result.isError && r.result.finished);
    if (finished && !finished.result.isError) return result("finished", { summary: finished.result.finished?.summary ?? null });
    if (results.length > 0) {
      const changed = results.some((r) => !r.result.isError && changingTools.has(r.call.name));
      const verdict = stuck.observe(reply.message.toolCalls, changed);
      if (verdict.kind === "stop") return result("stuck", { stuck: verdict.why });
      if (verdict.kind === "nudge") messages.push({ role: "user", content: nudgeMessage(verdict.why) });
    }
    if (signal.aborted) return result(interrupted());
  }
}

async function chatWithRetry(options: AgentRunOptions, messages: readonly ChatMessage[], specs: ReturnType<typeof toolSpec>[], signal: AbortSignal) {
  const delays = options.retryDelaysMs ?? [1_000, 4_000, 15_000];
  for (let attempt = 0; ; attempt++) {
    try {
      return await options.provider.chat({ messages, tools: specs, signal });
    } catch (error) {
      const delay = delays[attempt];
      if (!(error instanceof LlmError) || !error.retryable || delay === undefined || signal.aborted) throw error;
      await sleep(delay * (0.8 + Math.random() * 0.4), undefined, { signal });
    }
  }
}

function formatResult(result: ToolResult): string {
  return result.isError ? `Error (${result.reason}): ${result.message}` : result.output;
}

function record(
  options: AgentRunOptions,
  step: number,
  message: unknown,
  results: ReadonlyArray<{ call: ToolCall; result: ToolResult }>,
  usage: { promptTokens: number; completionTokens: number },
  modelMs: number,
  toolsMs: number,
): void {
  options.recorder?.store.step(options.recorder.runId, { step, message, toolResults: results, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, modelMs, toolsMs });
}
