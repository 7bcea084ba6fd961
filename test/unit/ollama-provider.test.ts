import { afterEach, describe, expect, it } from "vitest";
import { LlmError } from "../../src/llm/llm-error.js";
import { OllamaProvider } from "../../src/llm/ollama-provider.js";
import type { ChatMessage, ChatRequest, ToolSpec } from "../../src/llm/types.js";
import { freePort } from "../support/net.js";
import { startScriptedOllama, type ScriptedOllama, type ScriptedTurn } from "../support/scripted-ollama.js";

const MODEL = "qwen2.5-coder:7b";
const readFileSpec: ToolSpec = {
  name: "read_file",
  description: "Read a file",
  parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
};
const conversation: ChatMessage[] = [
  { role: "system", content: "You are a careful engineer." },
  { role: "user", content: "Fix the typo." },
];

async function llmError(promise: Promise<unknown>): Promise<LlmError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}

describe("OllamaProvider", () => {
  let server: ScriptedOllama | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(script: ScriptedTurn[], model = MODEL, contextSize = 8192): Promise<OllamaProvider> {
    server = await startScriptedOllama({ script });
    return new OllamaProvider({ host: server.url, model, contextSize });
  }

  const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({ messages: conversation, tools: [readFileSpec], ...overrides });

  it("returns tool calls parsed, each with an id", async () => {
    const provider = await start([
      {
        content: "Let me look.",
        toolCalls: [
          { name: "read_file", arguments: { path: "src/a.ts" } },
          { name: "grep", arguments: { pattern: "Helo", ignore_case: true } },
        ],
      },
    ]);
    const result = await provider.chat(request());
    expect(result.message.content).toBe("Let me look.");
    expect(result.message.toolCalls).toEqual([
      { id: expect.stringMatching(/^call_[0-9a-f]{8}$/) as unknown as string, name: "read_file", arguments: { path: "src/a.ts" } },
      { id: expect.stringMatching(/^call_[0-9a-f]{8}$/) as unknown as string, name: "grep", arguments: { pattern: "Helo", ignore_case: true } },
    ]);
    expect(result.message.toolCalls[0]?.id).not.toBe(result.message.toolCalls[1]?.id);
    expect(result.doneReason).toBe("stop");
    expect(provider.label).toBe(`ollama:${MODEL}`);
  });

  it("returns plain text with no tool calls", async () => {
    const provider = await start([{ content: "All done." }]);
    expect((await provider.chat(request())).message).toEqual({ content: "All done.", toolCalls: [] });
  });

  it("counts usage from prompt_eval_count and eval_count", async () => {
    const reply = "x".repeat(400);
    const provider = await start([{ content: reply }]);
    const result = await provider.chat(request());
    // The scripted server counts four characters a token, like a rough tokenizer.
    const promptChars = conversation.reduce((n, m) => n + m.content.length, 0);
    expect(result.usage).toEqual({ promptTokens: Math.round(promptChars / 4), completionTokens: 100 });
  });

  it("sends the model, num_ctx, the tools and a non-streaming request", async () => {
    const provider = await start([{ content: "ok" }], MODEL, 12_345);
    await provider.chat(request());
    const [body] = server!.chatRequests();
    expect(body).toMatchObject({ model: MODEL, stream: false, options: { num_ctx: 12_345, temperature: 0.2 } });
    expect(body?.tools).toEqual([{ type: "function", function: { name: "read_file", description: "Read a file", parameters: readFileSpec.parameters } }]);
    expect(body?.messages).toEqual([
      { role: "system", content: "You are a careful engineer." },
      { role: "user", content: "Fix the typo." },
    ]);
  });

  it("sends tool calls back on the assistant message and tool results as role tool with tool_name", async () => {
    const provider = await start([{ content: "ok" }]);
    await provider.chat(
      request({
        messages: [
          ...conversation,
          { role: "assistant", content: "Reading.", toolCalls: [{ id: "call_1", name: "read_file", arguments: { path: "a.txt" } }] },
          { role: "tool", toolCallId: "call_1", toolName: "read_file", content: "1\thello" },
          { role: "assistant", content: "Thinking.", toolCalls: [] },
        ],
      }),
    );
    const messages = server!.chatRequests()[0]?.messages;
    expect(messages?.slice(2)).toEqual([
      { role: "assistant", content: "Reading.", tool_calls: [{ function: { name: "read_file", arguments: { path: "a.txt" } } }] },
      { role: "tool", content: "1\thello", tool_name: "read_file" },
      { role: "assistant", content: "Thinking." },
    ]);
  });

  it("reports a missing model as model-not-found, with the pull command as hint", async () => {
    const provider = await start([{ content: "never" }], "llama-missing:3b");
    const error = await llmError(provider.chat(request()));
    expect(error.reason).toBe("model-not-found");
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(`Ollama at ${server!.url} does not have the model "llama-missing:3b"`);
    expect(error.hint).toContain("ollama pull llama-missing:3b");
  });

  it("reports a closed port as unreachable and retryable", async () => {
    const port = await freePort();
    const provider = new OllamaProvider({ host: `http://127.0.0.1:${port}`, model: MODEL, contextSize: 4096 });
    const error = await llmError(provider.chat(request()));
    expect(error.reason).toBe("unreachable");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`cannot reach Ollama at http://127.0.0.1:${port}`);
    expect(error.hint).toContain("ollama serve");
  });

  it("reports a 500 as a retryable server-error", async () => {
    const provider = await start([{ error: { status: 500, message: "llama runner crashed" } }]);
    const error = await llmError(provider.chat(request()));
    expect(error.reason).toBe("server-error");
    expect(error.retryable).toBe(true);
    expect(error.message).toBe("Ollama answered 500: llama runner crashed");
  });

  it("reports an overflowing context as context-overflow, not retryable", async () => {
    const provider = await start([{ error: { status: 500, message: "input length exceeds the context length" } }]);
    const error = await llmError(provider.chat(request()));
    expect(error.reason).toBe("context-overflow");
    expect(error.retryable).toBe(false);
    expect(error.hint).toContain("CODER_CONTEXT_SIZE");
  });

  it("reports another 4xx as bad-response", async () => {
    const provider = await start([{ error: { status: 400, message: "registry.ollama.ai/library/x does not support tools" } }]);
    const error = await llmError(provider.chat(request()));
    expect(error.reason).toBe("bad-response");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("(400)");
  });

  it("reports aborted when the signal aborts during the call", async () => {
    const provider = await start([{ delayMs: 10_000, turn: { content: "too late" } }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await llmError(provider.chat(request({ signal: controller.signal })));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error.reason).toBe("aborted");
    expect(error.retryable).toBe(false);
  });
});
