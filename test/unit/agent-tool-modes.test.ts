import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAgent, type AgentRunOptions } from "../../src/agent/agent-loop.js";
import { LlmError } from "../../src/llm/llm-error.js";
import type { ChatRequest, LlmProvider } from "../../src/llm/types.js";
import { PathGuard } from "../../src/safety/path-guard.js";
import { openDatabase, type Database } from "../../src/store/database.js";
import { RunStore } from "../../src/store/run-store.js";
import { fixTools } from "../../src/tools/fix-tools.js";
import { HostRunner } from "../../src/workspace/host-runner.js";
import { FunctionProvider, type FunctionReply } from "../support/function-provider.js";
import { OllamaProvider } from "../../src/llm/ollama-provider.js";
import { startScriptedOllama } from "../support/scripted-ollama.js";

const identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"];

describe("the agent loop's tool modes", () => {
  let root: string;
  let dataDir: string;
  let db: Database;
  let store: RunStore;
  let runId: number;

  beforeEach(() => {
    root = realpathSync(mkdtempSync(path.join(tmpdir(), "agent-modes-")));
    writeFileSync(path.join(root, "greet.txt"), "Helo, world\n");
    execFileSync("git", ["init", "-q", "-b", "main"], { cwd: root });
    execFileSync("git", [...identity, "add", "-A"], { cwd: root });
    execFileSync("git", [...identity, "commit", "-q", "-m", "initial"], { cwd: root });
    dataDir = mkdtempSync(path.join(tmpdir(), "agent-modes-db-"));
    db = openDatabase(dataDir);
    store = new RunStore(db);
    runId = store.start({ jobId: null, repoKey: "acme/widgets", task: "fix the typo", model: "function" });
  });

  afterEach(() => {
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

  const script =
    (...replies: FunctionReply[]) =>
    (_request: ChatRequest, index: number) =>
      replies[index] ?? { content: "" };
  const lastUser = (request: ChatRequest | undefined) =>
    [...(request?.messages ?? [])].reverse().find((m) => m.role === "user")?.content ?? "";
  const fixed = () => readFileSync(path.join(root, "greet.txt"), "utf8");

  it("text mode: tools in the system prompt, calls read from tags, results as tool_response turns", async () => {
    const provider = new FunctionProvider(
      { nativeTools: false },
      script(
        {
          content:
            'I will fix it.\n<tool_call>\n{"name": "edit_file", "arguments": {"path": "greet.txt", "old_text": "Helo", "new_text": "Hello"}}\n</tool_call>',
        },
        { content: "<tool_call>{'name': 'Finish', 'arguments': {'summary': 'Fixed the typo.',}}</tool_call>" },
      ),
    );
    const result = await runAgent(options(provider));
    expect(result).toMatchObject({ stopReason: "finished", summary: "Fixed the typo.", steps: 2, toolMode: "text" });
    expect(fixed()).toBe("Hello, world\n");

    for (const request of provider.requests) {
      expect(request.tools).toEqual([]);
      expect(request.responseSchema).toBeUndefined();
      expect(request.messages.every((m) => m.role === "system" || m.role === "user" || m.role === "assistant")).toBe(true);
    }
    const system = provider.requests[0]?.messages[0]?.content ?? "";
    expect(system).toContain("You are a careful engineer.");
    for (const name of fixTools.keys()) expect(system).toContain(`## ${name}`);
    expect(system).toContain("<tool_call>");
    const second = provider.requests[1]!;
    expect(second.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(second.messages[2]?.content).toContain("I will fix it.");
    expect(lastUser(second)).toMatch(/^<tool_response name="edit_file">\n[\s\S]*\n<\/tool_response>$/);

    const steps = store.steps(runId);
    expect(steps[1]?.notes).toMatchObject({ mode: "text" });
    // Single quotes, a trailing comma and the tool name's case were repaired, and the repairs recorded.
    expect(JSON.stringify(steps[1]?.notes)).toContain('read the tool name \\"Finish\\" as \\"finish\\"');
  });

  it("text mode under a constraint: the reply schema is sent and bare JSON replies are calls", async () => {
    const provider = new FunctionProvider(
      { nativeTools: false, constrainedDecoding: true },
      script(
        { content: '{"name": "edit_file", "arguments": {"path": "greet.txt", "old_text": "Helo", "new_text": "Hello"}}' },
        { content: '{"name": "finish", "arguments": {"summary": "done"}}' },
      ),
    );
    const result = await runAgent(options(provider));
    expect(result).toMatchObject({ stopReason: "finished", summary: "done", toolMode: "text" });
    expect(fixed()).toBe("Hello, world\n");
    const schema = provider.requests[0]?.responseSchema as { anyOf: Array<{ properties: { name: { enum: string[] } } }> };
    expect(schema.anyOf.map((v) => v.properties.name.enum[0])).toEqual([...fixTools.keys()]);
    expect(provider.requests[0]?.messages[0]?.content).toContain("Every reply is exactly one tool call as a JSON object");
  });

  it("native mode still reads a call the model wrote into its text", async () => {
    const provider = new FunctionProvider(
      { nativeTools: true },
      script(
        { content: '```json\n{"name": "edit_file", "arguments": {"path": "greet.txt", "old_text": "Helo", "new_text": "Hello"}}\n```' },
        { toolCalls: [{ name: "finish", arguments: '{"summary": "done"}' }] },
      ),
    );
    const result = await runAgent(options(provider));
    expect(result).toMatchObject({ stopReason: "finished", summary: "done", toolMode: "native" });
    expect(fixed()).toBe("Hello, world\n");
    expect(provider.requests[1]?.tools.length).toBe(fixTools.size);
    // The call read from text goes back as a native call with a tool result answering its id.
    const history = provider.requests[1]!.messages;
    const assistant = history[2];
    expect(assistant?.role === "assistant" && assistant.toolCalls.map((c) => c.name)).toEqual(["edit_file"]);
    expect(history[3]).toMatchObject({
      role: "tool",
      toolName: "edit_file",
      toolCallId: assistant?.role === "assistant" ? assistant.toolCalls[0]?.id : "",
    });
  });

  it("answers a call beyond repair with the expected form, and the failed step counts", async () => {
    const provider = new FunctionProvider(
      { nativeTools: false },
      script(
        {
          content:
            '<tool_call>{"name": "read_file", "arguments": {"path": "greet.txt"</tool_call> and <tool_call>{"name": "delete_repo", "arguments": {}}</tool_call>',
        },
        { content: '<tool_call>{"name": "finish", "arguments": {"summary": "gave up"}}</tool_call>' },
      ),
    );
    const result = await runAgent(options(provider, { budgets: { steps: 20, wallMs: 30_000, tokens: 1_000_000 } }));
    expect(result).toMatchObject({ stopReason: "finished", steps: 2 });
    const answer = lastUser(provider.requests[1]);
    expect(answer).toContain("Error (invalid-call)");
    expect(answer).toContain('There is no tool named "delete_repo"');
    // The first call's missing braces were repaired: it ran.
    expect(answer).toContain("1\tHelo, world");
  });

  it("unreadable replies use up the step budget instead of looping for ever", async () => {
    const provider = new FunctionProvider({ nativeTools: false }, () => ({
      content: "<tool_call>{name: read_file, arguments: {path: [}}</tool_call>",
    }));
    const result = await runAgent(
      options(provider, { budgets: { steps: 4, wallMs: 30_000, tokens: 1_000_000 }, stuck: { repeatLimit: 100 } }),
    );
    expect(result.stopReason).toBe("step-budget");
    expect(provider.requests).toHaveLength(4);
    expect(lastUser(provider.requests[1])).toMatch(
      /A tool call could not be read: .*Write each call as \{"name": "<tool name>", "arguments": \{\.\.\.\}\}/,
    );
  });

  it("falls back to text mode when the server refuses native tools", async () => {
    let refused = 0;
    const provider = new FunctionProvider({ nativeTools: true }, (request) => {
      if (request.tools.length > 0) {
        refused++;
        throw new LlmError("tools-unsupported", "registry.ollama.ai/library/gemma:2b does not support tools", { hint: "" });
      }
      return { content: '<tool_call>{"name": "finish", "arguments": {"summary": "done in text mode"}}</tool_call>' };
    });
    const result = await runAgent(options(provider));
    expect(result).toMatchObject({ stopReason: "finished", summary: "done in text mode", steps: 1, toolMode: "text" });
    expect(refused).toBe(1);
    expect(JSON.stringify(store.steps(runId)[0]?.notes)).toContain("switched to text-mode tool calls");
  });

  it("compacts harder and asks again when the server finds a request too long", async () => {
    let calls = 0;
    const sizes: number[] = [];
    const provider = new FunctionProvider({ nativeTools: true, contextSize: 8192 }, (request) => {
      calls++;
      const size = request.messages.reduce((n, m) => n + m.content.length, 0);
      sizes.push(size);
      // This "server" counts tokens far more harshly than the estimate: it refuses above 6,000 characters.
      if (size > 6_000)
        throw new LlmError("context-overflow", "the request exceeds the available context size", { hint: "raise CODER_CONTEXT_SIZE" });
      const step = sizes.filter((s) => s <= 6_000).length;
      return step < 8
        ? { toolCalls: [{ name: "run_command", arguments: { command: `seq 1 ${2000 + step}` } }] }
        : { toolCalls: [{ name: "finish", arguments: { summary: "done" } }] };
    });
    const result = await runAgent(options(provider, { stuck: { idleLimit: 100 } }));
    expect(result).toMatchObject({ stopReason: "finished", summary: "done" });
    expect(calls).toBeGreaterThan(8);
    const events = store.steps(runId).flatMap((s) => (s.notes as { events: string[] }).events);
    expect(events.some((e) => e.startsWith("the server found the request too long"))).toBe(true);
  });

  it("the configured mode overrides what the model reports", async () => {
    const provider = new FunctionProvider(
      { nativeTools: true },
      script({ content: '<tool_call>{"name": "finish", "arguments": {"summary": "ok"}}</tool_call>' }),
    );
    const result = await runAgent(options(provider, { toolMode: "text" }));
    expect(result).toMatchObject({ stopReason: "finished", toolMode: "text" });
    expect(provider.requests[0]?.tools).toEqual([]);
  });

  it("stops a stuck agent after one nudge and says why", async () => {
    const provider = new FunctionProvider({ nativeTools: true }, () => ({
      toolCalls: [{ name: "read_file", arguments: { path: "greet.txt" } }],
    }));
    const result = await runAgent(options(provider, { stuck: { repeatLimit: 3 } }));
    expect(result.stopReason).toBe("stuck");
    expect(result.stuck).toMatch(/the same call \(read_file .*greet\.txt.*\) 3 times in a row/);
    // Three calls, the nudge, three more, then the stop.
    expect(provider.requests).toHaveLength(6);
    expect(provider.requests[3]?.messages.at(-1)).toMatchObject({ role: "user", content: expect.stringContaining("You seem to be stuck") });
  });

  it("over Ollama's protocol: a model without tools runs in text mode under a JSON-schema format", async () => {
    const show = (
      JSON.parse(readFileSync(path.join(import.meta.dirname, "../fixtures/llm-responses/ollama/show-gemma3-no-tools.json"), "utf8")) as {
        body: Record<string, unknown>;
      }
    ).body;
    const ollama = await startScriptedOllama({
      model: "gemma3:4b",
      show,
      script: [
        { content: '{"name": "edit_file", "arguments": {"path": "greet.txt", "old_text": "Helo", "new_text": "Hello"}}' },
        { content: '{"name": "finish", "arguments": {"summary": "fixed"}}' },
      ],
    });
    try {
      const provider = new OllamaProvider({ host: ollama.url, model: "gemma3:4b", maxContextSize: 16384 });
      const result = await runAgent(options(provider));
      expect(result).toMatchObject({ stopReason: "finished", summary: "fixed", toolMode: "text" });
      expect(fixed()).toBe("Hello, world\n");
      const chats = ollama.chatRequests();
      expect(chats).toHaveLength(2);
      for (const chat of chats) {
        expect(chat.tools ?? []).toEqual([]);
        expect(chat.options?.num_ctx).toBe(16384);
        expect((chat.format as { anyOf: unknown[] }).anyOf).toHaveLength(fixTools.size);
      }
      expect(chats[1]?.messages.at(-1)?.content).toMatch(/^<tool_response name="edit_file">/);
    } finally {
      await ollama.close();
    }
  });

  it("a missing model ends the run before the first step with what to do", async () => {
    const provider: LlmProvider = {
      label: "broken",
      describe: () =>
        Promise.reject(new LlmError("model-not-found", 'Ollama does not have the model "x"', { hint: "run `ollama pull x`" })),
      chat: () => Promise.reject(new Error("not reached")),
    };
    const result = await runAgent(options(provider));
    expect(result).toMatchObject({ stopReason: "model-error", steps: 0, error: { hint: "run `ollama pull x`" } });
  });
});
