import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAgent, type AgentRunOptions } from "../../src/agent/agent-loop.js";
import type { ChatMessage, LlmProvider } from "../../src/llm/types.js";
import { OllamaProvider } from "../../src/llm/ollama-provider.js";
import { ScriptedProvider, type ScriptedReply } from "../../src/llm/scripted-provider.js";
import { PathGuard } from "../../src/safety/path-guard.js";
import { openDatabase, type Database } from "../../src/store/database.js";
import { RunStore } from "../../src/store/run-store.js";
import { fixTools } from "../../src/tools/fix-tools.js";
import { HostRunner } from "../../src/workspace/host-runner.js";
import { startScriptedOllama, type ScriptedOllama, type ScriptedTurn } from "../support/scripted-ollama.js";

const NUDGE = "You did not call a tool. Continue the task with the tools, or call finish with a summary if you are done.";
const identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"];

const finish = (summary: string) => ({ name: "finish", arguments: { summary } });
const listFiles = { name: "list_files", arguments: {} };

describe("runAgent", () => {
  let root: string;
  let dataDir: string;
  let db: Database;
  let store: RunStore;
  let runId: number;
  let ollama: ScriptedOllama | undefined;

  beforeEach(() => {
    root = realpathSync(mkdtempSync(path.join(tmpdir(), "agent-loop-")));
    writeFileSync(path.join(root, "greet.txt"), "Helo, world\n");
    execFileSync("git", ["init", "-q", "-b", "main"], { cwd: root });
    execFileSync("git", [...identity, "add", "-A"], { cwd: root });
    execFileSync("git", [...identity, "commit", "-q", "-m", "initial"], { cwd: root });
    dataDir = mkdtempSync(path.join(tmpdir(), "agent-loop-db-"));
    db = openDatabase(dataDir);
    store = new RunStore(db);
    runId = store.start({ jobId: null, repoKey: "acme/widgets", task: "fix the typo", model: "scripted" });
  });

  afterEach(async () => {
    await ollama?.close();
    ollama = undefined;
    db.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  function options(provider: LlmProvider, overrides: Partial<AgentRunOptions> = {}): AgentRunOptions {
    return {
      provider,
      tools: fixTools,
      system: "You are a careful engineer.",
      task: "Fix the typo in greet.txt.",
      budgets: { steps: 20, wallMs: 30_000, tokens: 1_000_000 },
      toolContext: { root, guard: new PathGuard(root), runner: new HostRunner(root), commandTimeoutMs: 10_000 },
      signal: new AbortController().signal,
      recorder: { store, runId },
      retryDelaysMs: [1, 1],
      ...overrides,
    };
  }

  const scripted = (...script: ScriptedReply[]) => new ScriptedProvider(script);
  /** The conversation as the provider last saw it. */
  const conversation = (provider: ScriptedProvider): readonly ChatMessage[] => provider.requests.at(-1)?.messages ?? [];
  const toolMessages = (provider: ScriptedProvider) =>
    conversation(provider).filter((m): m is Extract<ChatMessage, { role: "tool" }> => m.role === "tool");

  async function ollamaProvider(script: ScriptedTurn[], model = "qwen2.5-coder:7b"): Promise<OllamaProvider> {
    ollama = await startScriptedOllama({ script });
    return new OllamaProvider({ host: ollama.url, model, contextSize: 8192 });
  }

  it("stops finished with the summary once the model calls finish", async () => {
    const provider = scripted(
      { toolCalls: [{ name: "edit_file", arguments: { path: "greet.txt", old_text: "Helo", new_text: "Hello" } }] },
      { content: "Done.", toolCalls: [finish("Fixed the typo in greet.txt.")] },
    );
    const steps: Array<{ step: number; lastTool: string | null }> = [];
    const result = await runAgent(options(provider, { onStep: ({ step, lastTool }) => steps.push({ step, lastTool }) }));

    expect(result).toMatchObject({ stopReason: "finished", summary: "Fixed the typo in greet.txt.", steps: 2 });
    expect(result.error).toBeUndefined();
    expect(result.promptTokens).toBeGreaterThan(0);
    expect(result.completionTokens).toBeGreaterThan(0);
    expect(readFileSync(path.join(root, "greet.txt"), "utf8")).toBe("Hello, world\n");
    expect(steps).toEqual([
      { step: 1, lastTool: "edit_file" },
      { step: 2, lastTool: "finish" },
    ]);
    const first = provider.requests[0]!;
    expect(first.tools.map((t) => t.name)).toEqual([...fixTools.keys()]);
    expect(conversation(provider).slice(0, 2)).toEqual([
      { role: "system", content: "You are a careful engineer." },
      { role: "user", content: "Fix the typo in greet.txt." },
    ]);
  });

  it("runs no tool call after finish in the same reply", async () => {
    const provider = scripted({ toolCalls: [finish("done"), { name: "write_file", arguments: { path: "late.txt", content: "x" } }] });
    const result = await runAgent(options(provider));
    expect(result).toMatchObject({ stopReason: "finished", summary: "done", steps: 1 });
    expect(existsSync(path.join(root, "late.txt"))).toBe(false);
  });

  it("stops at the step budget", async () => {
    const provider = scripted(...Array.from({ length: 10 }, () => ({ toolCalls: [listFiles] })));
    const result = await runAgent(options(provider, { budgets: { steps: 3, wallMs: 30_000, tokens: 1_000_000 } }));
    expect(result).toMatchObject({ stopReason: "step-budget", steps: 3, summary: null });
    expect(provider.requests).toHaveLength(3);
  });

  it("stops at the time budget, even in the middle of a slow command", async () => {
    const provider = scripted(
      { toolCalls: [{ name: "run_command", arguments: { command: "sleep 20" } }] },
      { toolCalls: [finish("never")] },
    );
    const started = Date.now();
    const result = await runAgent(options(provider, { budgets: { steps: 20, wallMs: 400, tokens: 1_000_000 } }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result).toMatchObject({ stopReason: "time-budget", steps: 1, summary: null });
    expect(result.durationMs).toBeGreaterThanOrEqual(300);
    expect(provider.requests).toHaveLength(1);
  });

  it("stops at the token budget", async () => {
    const provider = scripted(...Array.from({ length: 10 }, () => ({ toolCalls: [listFiles] })));
    const result = await runAgent(options(provider, { budgets: { steps: 20, wallMs: 30_000, tokens: 40 } }));
    expect(result.stopReason).toBe("token-budget");
    expect(result.steps).toBeLessThan(10);
    expect(result.promptTokens + result.completionTokens).toBeGreaterThanOrEqual(40);
    expect(provider.requests).toHaveLength(result.steps);
  });

  describe("a reply without a tool call", () => {
    it("is nudged once, and a second one stops the run with its text", async () => {
      const provider = scripted(
        { content: "Let me think about it." },
        { content: "  The typo is fixed, I believe.  " },
        { toolCalls: [finish("never")] },
      );
      const result = await runAgent(options(provider));
      expect(result).toMatchObject({ stopReason: "no-tool-call", steps: 2, summary: "The typo is fixed, I believe." });
      expect(provider.requests).toHaveLength(2);
      const nudges = conversation(provider).filter((m) => m.role === "user" && m.content === NUDGE);
      expect(nudges).toHaveLength(1);
      expect(conversation(provider)[3]).toEqual({ role: "user", content: NUDGE });
    });

    it("continues when the model calls a tool after the nudge", async () => {
      const provider = scripted({ content: "Hmm." }, { toolCalls: [finish("ok")] });
      const result = await runAgent(options(provider));
      expect(result).toMatchObject({ stopReason: "finished", summary: "ok", steps: 2 });
    });

    it("gets a fresh nudge after the model used a tool again", async () => {
      const provider = scripted({ content: "a" }, { toolCalls: [listFiles] }, { content: "b" }, { content: "" });
      const result = await runAgent(options(provider));
      expect(result).toMatchObject({ stopReason: "no-tool-call", steps: 4, summary: null });
      expect(conversation(provider).filter((m) => m.role === "user" && m.content === NUDGE)).toHaveLength(2);
    });
  });

  describe("cancellation", () => {
    it("stops cancelled when the signal aborts between steps", async () => {
      const controller = new AbortController();
      const provider = scripted(...Array.from({ length: 5 }, () => ({ toolCalls: [listFiles] })));
      const result = await runAgent(options(provider, { signal: controller.signal, onStep: () => controller.abort() }));
      expect(result).toMatchObject({ stopReason: "cancelled", steps: 1 });
      expect(provider.requests).toHaveLength(1);
    });

    it("stops cancelled, and kills the command, when the signal aborts during a slow command", async () => {
      const controller = new AbortController();
      const provider = scripted({ toolCalls: [{ name: "run_command", arguments: { command: "sleep 20" } }] });
      setTimeout(() => controller.abort(), 200);
      const started = Date.now();
      const result = await runAgent(options(provider, { signal: controller.signal }));
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(result.stopReason).toBe("cancelled");
    });

    it("does not call the model when the signal is already aborted", async () => {
      const provider = scripted({ toolCalls: [finish("x")] });
      const result = await runAgent(options(provider, { signal: AbortSignal.abort() }));
      expect(result).toMatchObject({ stopReason: "cancelled", steps: 0 });
      expect(provider.requests).toHaveLength(0);
    });
  });

  describe("model errors", () => {
    it("stops model-error with the hint when the model is missing (not retried)", async () => {
      const provider = await ollamaProvider([{ toolCalls: [finish("x")] }], "missing-model:1b");
      const result = await runAgent(options(provider));
      expect(result.stopReason).toBe("model-error");
      // describe() finds the model missing before the first step.
      expect(result.steps).toBe(0);
      expect(result.error?.message).toContain('does not have the model "missing-model:1b"');
      expect(result.error?.hint).toContain("ollama pull missing-model:1b");
      expect(ollama!.chatRequests()).toHaveLength(0);
      expect(ollama!.requests.filter((r) => r.path === "/api/show")).toHaveLength(1);
    });

    it("retries a passing server error and then goes on", async () => {
      const provider = await ollamaProvider([
        { error: { status: 500, message: "temporarily overloaded" } },
        { error: { status: 503, message: "loading" } },
        { toolCalls: [finish("after retries")] },
      ]);
      const result = await runAgent(options(provider));
      expect(result).toMatchObject({ stopReason: "finished", summary: "after retries", steps: 1 });
      expect(ollama!.chatRequests()).toHaveLength(3);
    });

    it("gives up after the last retry delay", async () => {
      const provider = await ollamaProvider(Array.from({ length: 5 }, () => ({ error: { status: 500, message: "still broken" } })));
      const result = await runAgent(options(provider));
      expect(result.stopReason).toBe("model-error");
      expect(result.error?.message).toContain("Ollama answered 500: still broken");
      expect(result.error?.hint).toBe("check the Ollama server's log");
      expect(ollama!.chatRequests()).toHaveLength(3);
    });
  });

  it("feeds tool errors back to the model and carries on", async () => {
    const provider = scripted(
      {
        toolCalls: [
          { name: "read_file", arguments: { path: "missing.txt" } },
          { name: "delete_everything", arguments: {} },
          { name: "edit_file", arguments: { path: "greet.txt", old_text: "Goodbye", new_text: "x" } },
          { name: "read_file", arguments: { path: 42 } },
        ],
      },
      { toolCalls: [finish("Could not find the text.")] },
    );
    const result = await runAgent(options(provider));
    expect(result).toMatchObject({ stopReason: "finished", steps: 2 });
    const tools = toolMessages(provider);
    // An unknown tool is refused before anything runs; a number where the path goes is read as text.
    expect(tools.map((m) => m.content.match(/^Error \(([a-z-]+)\): /)?.[1])).toEqual([
      "not-found",
      "invalid-call",
      "no-match",
      "not-found",
    ]);
    expect(tools.map((m) => m.toolName)).toEqual(["read_file", "delete_everything", "edit_file", "read_file"]);
    expect(tools.map((m) => m.toolCallId)).toEqual(["call_1_0", "call_1_1", "call_1_2", "call_1_3"]);
    expect(tools[1]?.content).toContain('There is no tool named "delete_everything"');
  });

  it("records every step in the run store", async () => {
    const provider = scripted(
      { content: "Looking around." },
      { toolCalls: [listFiles, { name: "read_file", arguments: { path: "greet.txt" } }] },
      { toolCalls: [finish("nothing to do")] },
    );
    const result = await runAgent(options(provider));
    expect(result).toMatchObject({ stopReason: "finished", steps: 3 });

    const steps = store.steps(runId);
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(steps[0]).toMatchObject({ message: { content: "Looking around.", toolCalls: [] }, toolResults: [] });
    expect(steps[1]?.toolResults).toEqual([
      { call: { id: "call_2_0", name: "list_files", arguments: {} }, result: { isError: false, output: "greet.txt" } },
      {
        call: { id: "call_2_1", name: "read_file", arguments: { path: "greet.txt" } },
        result: { isError: false, output: "1\tHelo, world" },
      },
    ]);
    expect(steps[2]?.toolResults).toEqual([
      {
        call: { id: "call_3_0", name: "finish", arguments: { summary: "nothing to do" } },
        result: { isError: false, output: "Finished.", finished: { summary: "nothing to do" } },
      },
    ]);
    expect(steps.reduce((n, s) => n + s.promptTokens, 0)).toBe(result.promptTokens);
    expect(steps.reduce((n, s) => n + s.completionTokens, 0)).toBe(result.completionTokens);
    for (const s of steps) {
      expect(s.modelMs).toBeGreaterThanOrEqual(0);
      expect(s.toolsMs).toBeGreaterThanOrEqual(0);
    }
  });

  it("records the last step of a run that ends without a tool call", async () => {
    const provider = scripted({ content: "one" }, { content: "two" });
    await runAgent(options(provider));
    expect(store.steps(runId).map((s) => [s.step, (s.message as { content: string }).content])).toEqual([
      [1, "one"],
      [2, "two"],
    ]);
  });
});
