import { setTimeout as sleep } from "node:timers/promises";
import { LlmError } from "../llm/llm-error.js";
import { counterFor } from "../llm/tokens/counter-for.js";
import type { TokenCounter } from "../llm/tokens/token-counter.js";
import type { ChatMessage, ChatResult, LlmProvider, ModelInfo, ToolCall } from "../llm/types.js";
import type { RunStore } from "../store/run-store.js";
import { callTool } from "../tools/call-tool.js";
import { fail, toolSpec, type Tool, type ToolContext, type ToolResult } from "../tools/tool.js";
import { ContextOverflowError, ContextWindow } from "./context/context-window.js";
import { modelSummarizer } from "./context/summarize-turns.js";
import { truncateToTokens } from "./context/truncate-output.js";
import { nudgeMessage, StuckDetector } from "./stuck-detector.js";
import { budgetConditions, type Budgets, type StopCondition, type StopReason } from "./stop-conditions.js";
import { ToolChannel, type ToolModeSetting } from "./tool-channel.js";

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
  /** Waits between retries of a model call that failed for a passing reason; each gets ±20% jitter. */
  readonly retryDelaysMs?: readonly number[];
  /** Limits of the stuck detector: identical calls in a row, and steps without changing a file. */
  readonly stuck?: { readonly repeatLimit?: number; readonly idleLimit?: number };
  /** Native tool calls, text mode, or `auto` (the default): native where the model has it. */
  readonly toolMode?: ToolModeSetting;
  /** Counts tokens for the context window; by default the model's tokenizer where known, else an estimate. */
  readonly counter?: TokenCounter;
  /** Most tokens per reply; by default an eighth of the context, between 256 and 4096. */
  readonly maxReplyTokens?: number;
  /** Most tokens one tool result may take; by default an eighth of the context. */
  readonly maxToolOutputTokens?: number;
  /** The latest turns kept whole when the history is compacted. */
  readonly keepTurns?: number;
}

export interface AgentResult {
  readonly stopReason: StopReason;
  readonly summary: string | null;
  readonly steps: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly durationMs: number;
  /** How tools reached the model at the end of the run. */
  readonly toolMode?: "native" | "text";
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
 * `finish` or a stop condition holds. Tool failures and unreadable calls are data for the model;
 * only an unusable model, a task too large for the context, or cancellation end the loop early.
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
  let channel: ToolChannel | undefined;
  const stuck = new StuckDetector(options.stuck);

  const result = (stopReason: StopReason, extra: Partial<AgentResult> = {}): AgentResult => ({
    stopReason,
    summary: null,
    steps: step,
    promptTokens,
    completionTokens,
    durationMs: Date.now() - started,
    ...(channel ? { toolMode: channel.mode } : {}),
    ...extra,
  });
  const interrupted = (): StopReason => (options.signal.aborted ? "cancelled" : "time-budget");
  const modelError = (error: unknown): AgentResult => {
    if (signal.aborted) return result(interrupted());
    const llm = error instanceof LlmError ? error : undefined;
    return result("model-error", { error: { message: (error as Error).message, hint: llm?.hint ?? "" } });
  };

  let info: ModelInfo;
  try {
    info = await withRetry(options, () => options.provider.describe(signal), signal);
  } catch (error) {
    return modelError(error);
  }
  channel = new ToolChannel(options.toolMode ?? "auto", info, specs);
  const counter = options.counter ?? (await counterFor(options.provider, options.provider.label));
  const replyTokens = options.maxReplyTokens ?? clamp(Math.floor(info.contextSize / 8), 256, 4096);
  const outputTokens = options.maxToolOutputTokens ?? Math.max(256, Math.floor(info.contextSize / 8));
  const window = new ContextWindow({
    contextSize: info.contextSize,
    counter,
    replyTokens,
    ...(options.keepTurns ? { keepTurns: options.keepTurns } : {}),
  });
  window.setToolTokens(channel.toolTokens(counter));
  const summarize = modelSummarizer(options.provider, counter, info.contextSize, signal, (usage) => {
    promptTokens += usage.promptTokens;
    completionTokens += usage.completionTokens;
  });
  const shorten = (text: string) => truncateToTokens(text, outputTokens, counter);
  /** Events of a step that was asked again (after a switch to text mode), carried into the next record. */
  let carried: string[] = [];
  let tightened = 0;

  for (;;) {
    if (signal.aborted) return result(interrupted());
    const state = { step, elapsedMs: Date.now() - started, tokens: promptTokens + completionTokens };
    const stop = conditions.map((c) => c(state)).find((r) => r !== null);
    if (stop) return result(stop);
    step++;

    const notes = carried;
    carried = [];
    let contextTokens: number;
    try {
      const fit = await window.fit(messages, summarize);
      contextTokens = fit.tokens;
      notes.push(...fit.events);
    } catch (error) {
      if (!(error instanceof ContextOverflowError)) throw error;
      return result("model-error", {
        error: {
          message: `the conversation no longer fits the model's context: ${error.message}`,
          hint: "raise CODER_CONTEXT_SIZE (and the server's context limit), or give the model a smaller task",
        },
      });
    }

    const modelStarted = Date.now();
    let reply: ChatResult;
    try {
      reply = await withRetry(options, () => options.provider.chat(channel.request(messages, replyTokens, signal)), signal);
    } catch (error) {
      if (error instanceof LlmError && error.reason === "context-overflow" && tightened < 2) {
        // Our count was too low for this model's tokenizer: compact to a smaller window and ask again.
        tightened++;
        window.tighten(contextTokens);
        carried = [...notes, `the server found the request too long (${error.message}); compacting to ${window.budget} tokens`];
        step--;
        continue;
      }
      if (!(error instanceof LlmError && error.reason === "tools-unsupported" && channel.mode === "native")) return modelError(error);
      // The server cannot take tools natively: describe them in the prompt instead, and ask again.
      channel.fallBackToText();
      window.setToolTokens(channel.toolTokens(counter));
      carried = [...notes, `switched to text-mode tool calls: ${error.message}`];
      step--;
      continue;
    }
    const modelMs = Date.now() - modelStarted;
    promptTokens += reply.usage.promptTokens;
    completionTokens += reply.usage.completionTokens;
    const decoded = channel.decode(reply, step);
    notes.push(...decoded.repairs);
    messages.push({ role: "assistant", content: reply.message.content, toolCalls: decoded.toolCalls });

    const toolsStarted = Date.now();
    const results: Array<{ call: ToolCall; result: ToolResult }> = [];
    for (const call of decoded.toolCalls) {
      if (signal.aborted) break;
      const toolResult =
        call.invalid !== undefined
          ? fail("invalid-call", call.invalid)
          : await callTool(options.tools, call.name, call.arguments, { ...options.toolContext, signal }, shorten);
      results.push({ call, result: toolResult });
      // A tool's output was already cut to size inside callTool; only error messages still need it.
      messages.push({
        role: "tool",
        toolCallId: call.id,
        toolName: call.name,
        content: toolResult.isError ? shorten(formatResult(toolResult)) : toolResult.output,
      });
      if (!toolResult.isError && toolResult.finished) break;
    }
    if (results.length === 0) {
      if (nudged) {
        record(options, {
          step,
          message: reply.message,
          results,
          usage: reply.usage,
          modelMs,
          toolsMs: 0,
          contextTokens,
          notes,
          mode: channel.mode,
          doneReason: reply.doneReason,
        });
        return result("no-tool-call", { summary: reply.message.content.trim() || null });
      }
      nudged = true;
      messages.push({
        role: "user",
        content: reply.doneReason === "length" ? `${NUDGE} Your reply was cut off at the length limit: keep it shorter.` : NUDGE,
      });
    } else {
      nudged = false;
    }
    record(options, {
      step,
      message: { content: reply.message.content, toolCalls: decoded.toolCalls },
      results,
      usage: reply.usage,
      modelMs,
      toolsMs: Date.now() - toolsStarted,
      contextTokens,
      notes,
      mode: channel.mode,
      doneReason: reply.doneReason,
    });
    options.onStep?.({ step, tokens: promptTokens + completionTokens, lastTool: results.at(-1)?.call.name ?? null });

    const finished = results.find((r) => !r.result.isError && r.result.finished);
    if (finished && !finished.result.isError) return result("finished", { summary: finished.result.finished?.summary ?? null });
    if (results.length > 0) {
      const changed = results.some((r) => !r.result.isError && changingTools.has(r.call.name));
      const verdict = stuck.observe(decoded.toolCalls, changed);
      if (verdict.kind === "stop") return result("stuck", { stuck: verdict.why });
      if (verdict.kind === "nudge") messages.push({ role: "user", content: nudgeMessage(verdict.why) });
    }
    if (signal.aborted) return result(interrupted());
  }
}

/** Retries what failed for a passing reason (a server restarting, a timeout), with backoff and jitter. */
async function withRetry<T>(options: AgentRunOptions, call: () => Promise<T>, signal: AbortSignal): Promise<T> {
  const delays = options.retryDelaysMs ?? [1_000, 4_000, 15_000];
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const delay = delays[attempt];
      if (!(error instanceof LlmError) || !error.retryable || delay === undefined || signal.aborted) throw error;
      await sleep(delay * (0.8 + Math.random() * 0.4), undefined, { signal });
    }
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function formatResult(result: ToolResult): string {
  return result.isError ? `Error (${result.reason}): ${result.message}` : result.output;
}

interface StepTrace {
  readonly step: number;
  readonly message: unknown;
  readonly results: ReadonlyArray<{ call: ToolCall; result: ToolResult }>;
  readonly usage: { promptTokens: number; completionTokens: number };
  readonly modelMs: number;
  readonly toolsMs: number;
  readonly contextTokens: number;
  readonly notes: readonly string[];
  readonly mode: string;
  readonly doneReason: string;
}

function record(options: AgentRunOptions, trace: StepTrace): void {
  options.recorder?.store.step(options.recorder.runId, {
    step: trace.step,
    message: trace.message,
    toolResults: trace.results,
    promptTokens: trace.usage.promptTokens,
    completionTokens: trace.usage.completionTokens,
    modelMs: trace.modelMs,
    toolsMs: trace.toolsMs,
    contextTokens: trace.contextTokens,
    notes: { mode: trace.mode, doneReason: trace.doneReason, events: trace.notes },
  });
}
