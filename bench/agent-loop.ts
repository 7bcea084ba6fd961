/**
 * The agent loop's own cost per step, model time excluded: 100 steps whose tool returns 50 kB of
 * log each, so truncation, token counting, the context window and the trajectory all do real
 * work. Side by side: a bare loop that only passes messages between the model and the tool.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { z } from "zod";
import { runAgent } from "../src/agent/agent-loop.js";
import { qwenCounter } from "../src/llm/tokens/qwen-counter.js";
import { estimateCounter, type TokenCounter } from "../src/llm/tokens/token-counter.js";
import { counterFor } from "../src/llm/tokens/counter-for.js";
import type { ChatMessage, ChatRequest, ChatResult, LlmProvider, ModelInfo } from "../src/llm/types.js";
import { PathGuard } from "../src/safety/path-guard.js";
import { openDatabase } from "../src/store/database.js";
import { RunStore } from "../src/store/run-store.js";
import { callTool } from "../src/tools/call-tool.js";
import { defineTool, ok, type Tool } from "../src/tools/tool.js";
import { HostRunner } from "../src/workspace/host-runner.js";
import { ms, onCleanup, table } from "./support.js";

const STEPS = 100;
const OUTPUT_BYTES = 50_000;
export const STEP_TARGET_MS = 5;

export interface LoopResult {
  readonly rows: ReadonlyArray<{ readonly name: string; readonly perStepMs: number }>;
  readonly bareMs: number;
  readonly targets: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
}

/** Logs computed before timing, different every step, as a build would print them. */
const outputs = Array.from({ length: STEPS + 1 }, (_, n) => {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < OUTPUT_BYTES; i++) {
    const line = `[${n}.${i}] compiling src/module_${(i * 7919 + n) % 1000}/part${i % 37}.ts (${(i * 13) % 97} ms) ok`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join("\n");
});

const dump = defineTool("dump_log", {
  description: "Prints a build log.",
  parameters: z.object({ run: z.number().int() }),
  execute: ({ run }) => Promise.resolve(ok(outputs[run] ?? "")),
});
const tools = new Map<string, Tool>([
  ["dump_log", dump],
  [
    "finish",
    defineTool("finish", {
      description: "Ends the task.",
      parameters: z.object({ summary: z.string() }),
      execute: ({ summary }) => Promise.resolve({ isError: false, output: "Finished.", finished: { summary } }),
    }),
  ],
]);

/** A model that answers at once and keeps track of the time spent inside it. */
class InstantModel implements LlmProvider {
  readonly label = "instant";
  modelMs = 0;
  #step = 0;
  constructor(readonly info: ModelInfo) {}
  describe(): Promise<ModelInfo> {
    return Promise.resolve(this.info);
  }
  chat(request: ChatRequest): Promise<ChatResult> {
    const started = performance.now();
    const summary = request.messages[0]?.content.startsWith("You condense") ?? false;
    const call = summary
      ? null
      : this.#step < STEPS
        ? { name: "dump_log", arguments: { run: this.#step } }
        : { name: "finish", arguments: { summary: "done" } };
    if (!summary) this.#step++;
    const text = call === null ? "Read the logs so far." : this.info.nativeTools ? "" : `<tool_call>${JSON.stringify(call)}</tool_call>`;
    const result: ChatResult = {
      message: { content: text, toolCalls: call && this.info.nativeTools ? [{ id: `c${this.#step}`, ...call }] : [] },
      usage: { promptTokens: 1, completionTokens: 1 },
      doneReason: "stop",
    };
    this.modelMs += performance.now() - started;
    return Promise.resolve(result);
  }
}

async function productLoop(nativeTools: boolean, counter: TokenCounter): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-loop-"));
  const db = openDatabase(dir);
  try {
    const store = new RunStore(db);
    const runId = store.start({ jobId: null, repoKey: "bench/loop", task: "read the logs", model: "instant" });
    const model = new InstantModel({ contextSize: 32_768, nativeTools, constrainedDecoding: false });
    const started = performance.now();
    const result = await runAgent({
      provider: model,
      tools,
      system: "You are a careful engineer.",
      task: "Read the build logs and find the failure.",
      budgets: { steps: STEPS + 5, wallMs: 600_000, tokens: Number.MAX_SAFE_INTEGER },
      toolContext: { root: dir, guard: new PathGuard(dir), runner: new HostRunner(dir), commandTimeoutMs: 10_000 },
      signal: new AbortController().signal,
      recorder: { store, runId },
      counter,
      stuck: { idleLimit: 10_000 },
    });
    if (result.stopReason !== "finished") throw new Error(`the loop stopped early: ${result.stopReason}`);
    return (performance.now() - started - model.modelMs) / result.steps;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The least a loop must do: ask, run the tool, append the result. */
async function bareLoop(): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-bare-"));
  try {
    const model = new InstantModel({ contextSize: 32_768, nativeTools: true, constrainedDecoding: false });
    const messages: ChatMessage[] = [
      { role: "system", content: "You are a careful engineer." },
      { role: "user", content: "Read the build logs." },
    ];
    const context = {
      root: dir,
      guard: new PathGuard(dir),
      runner: new HostRunner(dir),
      commandTimeoutMs: 10_000,
      signal: new AbortController().signal,
    };
    const started = performance.now();
    let steps = 0;
    for (;;) {
      steps++;
      const reply = await model.chat({ messages, tools: [] });
      messages.push({ role: "assistant", content: reply.message.content, toolCalls: reply.message.toolCalls });
      const call = reply.message.toolCalls[0];
      if (!call || call.name === "finish") break;
      const result = await callTool(tools, call.name, call.arguments, context);
      messages.push({ role: "tool", toolCallId: call.id, toolName: call.name, content: result.isError ? result.message : result.output });
    }
    return (performance.now() - started - model.modelMs) / steps;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runLoopBench(): Promise<LoopResult> {
  onCleanup(() => undefined);
  // The counter the default model (qwen2.5-coder) gets: its tokenizer, estimated above a few kilobytes.
  const qwen = await counterFor({ label: "ollama:qwen2.5-coder:7b" } as LlmProvider, "qwen2.5-coder:7b");
  const qwenEverywhere = await qwenCounter();
  // One warm-up run each, so the tokenizer's caches and the JIT are in the state a long-running bot has.
  await productLoop(true, estimateCounter);
  await productLoop(true, qwen);
  const rows = [
    { name: "native tools, estimated tokens", perStepMs: await productLoop(true, estimateCounter) },
    { name: "text mode, estimated tokens", perStepMs: await productLoop(false, estimateCounter) },
    { name: "native tools, Qwen tokenizer", perStepMs: await productLoop(true, qwen) },
    { name: "text mode, Qwen tokenizer", perStepMs: await productLoop(false, qwen) },
  ];
  const exactEverywhere = await productLoop(true, qwenEverywhere);
  const bareMs = await bareLoop();
  console.log(
    table(
      ["loop (100 steps, 50 kB outputs)", "per step", "÷ bare loop"],
      [
        ...rows.map((r) => [r.name, ms(r.perStepMs), `${(r.perStepMs / bareMs).toFixed(1)}×`]),
        ["native tools, Qwen tokenizer on every size (not the default)", ms(exactEverywhere), `${(exactEverywhere / bareMs).toFixed(1)}×`],
        ["bare loop (no context management, no trajectory)", ms(bareMs), "1.0×"],
      ],
    ),
  );
  return {
    rows,
    bareMs,
    targets: rows.map((r) => ({
      name: `loop overhead: ${r.name}`,
      ok: r.perStepMs < STEP_TARGET_MS,
      detail: `${ms(r.perStepMs)} per step, target < ${STEP_TARGET_MS} ms`,
    })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) await runLoopBench();
