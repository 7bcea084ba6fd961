import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { LlmErrorReason } from "../../src/llm/llm-error.js";
import { OpenAICompatibleProvider, type OpenAICompatibleProviderOptions } from "../../src/llm/openai-provider.js";
import type { ChatRequest } from "../../src/llm/types.js";
import { freePort } from "../support/net.js";
import {
  startScriptedOpenAI,
  type OpenAIScriptedTurn,
  type ScriptedOpenAI,
  type ScriptedOpenAIOptions,
} from "../support/scripted-openai.js";
import { conversation, llmError, readFileSpec } from "../support/llm-kit.js";

interface StreamFixture {
  events: Array<Record<string, unknown>>;
}
interface ModelsFixture {
  body: { data: Array<{ id: string }> };
  v0?: Array<Record<string, unknown>>;
}
interface ErrorFixture {
  cases: Array<{ name: string; status: number; body: unknown; reason: LlmErrorReason; retryable: boolean }>;
}

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/llm-responses/openai-compatible/${name}`, import.meta.url), "utf8")) as T;
}

const MODEL = "Qwen/Qwen2.5-Coder-7B-Instruct";

describe("OpenAICompatibleProvider", () => {
  let server: ScriptedOpenAI | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(
    script: OpenAIScriptedTurn[],
    options: Partial<OpenAICompatibleProviderOptions> = {},
    serverOptions: Omit<ScriptedOpenAIOptions, "script"> = {},
  ): Promise<OpenAICompatibleProvider> {
    server = await startScriptedOpenAI({ script, ...serverOptions });
    return new OpenAICompatibleProvider({ baseURL: server.baseURL, model: serverOptions.model ?? MODEL, ...options });
  }

  const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({ messages: conversation, tools: [readFileSpec], ...overrides });
  const replay = (events: unknown[], extra: { done?: boolean; hang?: boolean } = {}): OpenAIScriptedTurn => ({ raw: { events, ...extra } });

  describe("recorded streams", () => {
    it("reassembles a vLLM tool call streamed in fragments, with usage from the choiceless last chunk", async () => {
      const provider = await start([replay(fixture<StreamFixture>("vllm-stream-tool-call.json").events)]);
      const result = await provider.chat(request());
      expect(result).toEqual({
        message: {
          content: "",
          toolCalls: [
            { id: "chatcmpl-tool-b3b307239370432d9910d4b79b4dbbaa", name: "searchGoogle", arguments: { query: "latest news on ai" } },
          ],
        },
        usage: { promptTokens: 226, completionTokens: 20 },
        doneReason: "tool_calls",
      });
    });

    it("reads a gateway's call sent in one fragment, with usage on the finish chunk", async () => {
      const provider = await start([replay(fixture<StreamFixture>("gateway-stream-tool-call-one-chunk.json").events)]);
      const result = await provider.chat(request());
      expect(result.message.toolCalls).toEqual([
        { id: "call_O17Uplv4lJvD6DVdIvFFeRMw", name: "test-tool", arguments: { value: "Sparkle Day" } },
      ]);
      expect(result.usage).toEqual({ promptTokens: 18, completionTokens: 439 });
      expect(result.doneReason).toBe("tool_calls");
    });

    it("keeps llama.cpp's reasoning_content out of the content", async () => {
      const provider = await start([replay(fixture<StreamFixture>("llamacpp-stream-reasoning.json").events)]);
      const result = await provider.chat(request());
      expect(result).toEqual({
        message: { content: "It works.", toolCalls: [] },
        usage: { promptTokens: 10, completionTokens: 32 },
        doneReason: "stop",
      });
    });

    it("reassembles two llama.cpp calls keyed by index", async () => {
      const provider = await start([replay(fixture<StreamFixture>("llamacpp-stream-tool-calls.json").events)]);
      const result = await provider.chat(request());
      expect(result.message.toolCalls).toEqual([
        { id: "9UjQk1Lk8dWbKgF3rT7mZpX2cV4nB6aH", name: "read_file", arguments: { path: "src/add.js" } },
        { id: "Rk2v8TzQ0wYp5LmN3xJc7bHd1sFg9aE4", name: "grep", arguments: { pattern: "export function add" } },
      ]);
      expect(result.usage).toEqual({ promptTokens: 512, completionTokens: 41 });
    });

    it("starts a new call when a second id arrives under index 0 again", async () => {
      const chunk = (toolCall: Record<string, unknown>, finish: string | null = null) => ({
        id: "c",
        object: "chat.completion.chunk",
        created: 1,
        model: MODEL,
        choices: [{ index: 0, delta: { tool_calls: [toolCall] }, finish_reason: finish }],
      });
      const provider = await start([
        replay([
          chunk({ index: 0, id: "chatcmpl-tool-c9ZCzB9b9NikK5kjPBXpFG", type: "function", function: { name: "read_file", arguments: "" } }),
          chunk({ index: 0, function: { arguments: '{"path": "a.ts"}' } }),
          chunk({ index: 0, id: "chatcmpl-tool-HfzZPEVfQgvgpSJccb8Vr8", type: "function", function: { name: "read_file", arguments: "" } }),
          chunk({ index: 0, function: { arguments: '{"path": "b.ts"}' } }, "tool_calls"),
        ]),
      ]);
      const result = await provider.chat(request());
      expect(result.message.toolCalls.map((c) => [c.id, c.arguments])).toEqual([
        ["chatcmpl-tool-c9ZCzB9b9NikK5kjPBXpFG", { path: "a.ts" }],
        ["chatcmpl-tool-HfzZPEVfQgvgpSJccb8Vr8", { path: "b.ts" }],
      ]);
    });
  });

  describe.each(["vllm", "llamacpp"] as const)("a %s server", (flavor) => {
    it("streams text and several tool calls, fragments joined", async () => {
      const provider = await start(
        [
          {
            content: "Let me look at both.",
            toolCalls: [
              { name: "read_file", arguments: { path: "src/a.ts" } },
              { name: "grep", arguments: { pattern: "Helo", path: ".", ignore_case: true } },
            ],
          },
        ],
        {},
        { flavor },
      );
      const result = await provider.chat(request());
      expect(result.message.content).toBe("Let me look at both.");
      expect(result.message.toolCalls.map((c) => ({ name: c.name, arguments: c.arguments }))).toEqual([
        { name: "read_file", arguments: { path: "src/a.ts" } },
        { name: "grep", arguments: { pattern: "Helo", path: ".", ignore_case: true } },
      ]);
      expect(new Set(result.message.toolCalls.map((c) => c.id)).size).toBe(2);
      expect(result.doneReason).toBe("tool_calls");
      expect(result.usage.promptTokens).toBe(Math.round(conversation.reduce((n, m) => n + m.content.length, 0) / 4));
      expect(result.usage.completionTokens).toBeGreaterThan(0);
    });

    it("passes arguments that are not valid JSON on as the raw string", async () => {
      const broken = '{"path": "src/a.ts", "lines": [1, 2';
      const provider = await start([{ toolCalls: [{ name: "read_file", arguments: broken }] }], {}, { flavor });
      const [call] = (await provider.chat(request())).message.toolCalls;
      expect(call).toMatchObject({ name: "read_file", arguments: broken });
    });

    it("reports the finish reason, and zero tokens when the server sends no usage", async () => {
      const provider = await start([{ content: "a long answer cut", finishReason: "length", usage: "none" }], {}, { flavor });
      const result = await provider.chat(request());
      expect(result).toMatchObject({
        doneReason: "length",
        usage: { promptTokens: 0, completionTokens: 0 },
        message: { content: "a long answer cut" },
      });
    });

    it("ignores reasoning for the content", async () => {
      const provider = await start([{ reasoning: "The user wants a fix.", content: "Fixed." }], {}, { flavor });
      expect((await provider.chat(request())).message.content).toBe("Fixed.");
    });
  });

  describe("what is sent", () => {
    it("streams with usage, the tools as functions and the messages mapped", async () => {
      const provider = await start([{ content: "ok" }], { apiKey: "sk-local" });
      await provider.chat(
        request({
          messages: [
            ...conversation,
            { role: "assistant", content: "Reading.", toolCalls: [{ id: "call_1", name: "read_file", arguments: { path: "a.txt" } }] },
            { role: "tool", toolCallId: "call_1", toolName: "read_file", content: "1\thello" },
          ],
        }),
      );
      const [body] = server!.chatRequests();
      expect(body).toMatchObject({ model: MODEL, stream: true, stream_options: { include_usage: true } });
      expect(body?.tools).toEqual([
        { type: "function", function: { name: "read_file", description: "Read a file", parameters: readFileSpec.parameters } },
      ]);
      expect(body?.messages).toEqual([
        { role: "system", content: "You are a careful engineer." },
        { role: "user", content: "Fix the typo." },
        {
          role: "assistant",
          content: "Reading.",
          tool_calls: [{ id: "call_1", type: "function", function: { name: "read_file", arguments: '{"path":"a.txt"}' } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "1\thello" },
      ]);
      expect(body).not.toHaveProperty("response_format");
      expect(body).not.toHaveProperty("max_tokens");
      expect(server!.requests[0]?.authorization).toBe("Bearer sk-local");
    });

    it("sends the response schema as json_schema, maxTokens as max_tokens, and no tools in text mode", async () => {
      const schema = { type: "object", properties: { tool: { type: "string" } }, required: ["tool"] };
      const provider = await start([{ content: '{"tool":"finish"}' }], { temperature: 0.1 });
      await provider.chat(request({ tools: [], responseSchema: schema, maxTokens: 300 }));
      const [body] = server!.chatRequests();
      expect(body?.response_format).toEqual({ type: "json_schema", json_schema: { name: "tool_call", schema, strict: false } });
      expect(body).toMatchObject({ max_tokens: 300, temperature: 0.1 });
      expect(body).not.toHaveProperty("tools");
    });

    it("leaves response_format out when the server does not honour json_schema", async () => {
      const provider = await start([{ content: "{}" }], { jsonSchema: false });
      await provider.chat(request({ responseSchema: { type: "object" } }));
      expect(server!.chatRequests()[0]).not.toHaveProperty("response_format");
      expect((await provider.describe()).constrainedDecoding).toBe(false);
    });
  });

  describe("describe()", () => {
    it("reads vLLM's max_model_len, once", async () => {
      const models = fixture<ModelsFixture>("models-vllm.json");
      const provider = await start([], {}, { models: models.body, model: "meta-llama/Meta-Llama-3.1-8B-Instruct" });
      expect(await provider.describe()).toEqual({
        contextSize: 8096,
        nativeTools: true,
        constrainedDecoding: true,
        contextSizeSource: "server",
      });
      await provider.describe();
      expect(server!.requests.filter((r) => r.path === "/v1/models")).toHaveLength(1);
    });

    it("reads llama.cpp's trained window, whatever name the model is configured under", async () => {
      const models = fixture<ModelsFixture>("models-llamacpp.json");
      const provider = await start([], {}, { flavor: "llamacpp", models: models.body, model: "qwen-local" });
      expect(await provider.describe()).toMatchObject({ contextSize: 131072, contextSizeSource: "server" });
    });

    it("asks LM Studio's own API for the window its OpenAI list leaves out", async () => {
      const models = fixture<ModelsFixture>("models-lmstudio.json");
      const provider = await start([], {}, { models: models.body, lmStudioModels: models.v0, model: "meta-llama-3.1-8b-instruct" });
      expect(await provider.describe()).toMatchObject({ contextSize: 131072, contextSizeSource: "server" });
    });

    it("falls back to 8192 when no server says, and says so", async () => {
      const models = fixture<ModelsFixture>("models-lmstudio.json");
      const provider = await start([], {}, { models: models.body, model: "qwen2-vl-7b-instruct" });
      expect(await provider.describe()).toMatchObject({ contextSize: 8192, contextSizeSource: "default" });
    });

    it("prefers the configured context size", async () => {
      const provider = await start([], { contextSize: 20_000 });
      expect(await provider.describe()).toMatchObject({ contextSize: 20_000, contextSizeSource: "options" });
    });

    it("reports a model the server does not list, naming what it has", async () => {
      const models = fixture<ModelsFixture>("models-vllm.json");
      const provider = await start([], {}, { models: models.body, model: "Qwen/Qwen3-8B" });
      const error = await llmError(provider.describe());
      expect(error.reason).toBe("model-not-found");
      expect(error.message).toContain('"Qwen/Qwen3-8B"');
      expect(error.hint).toContain("meta-llama/Meta-Llama-3.1-8B-Instruct");
    });

    it("says the base URL probably lacks /v1 when there is no model list", async () => {
      await start([]);
      const error = await llmError(new OpenAICompatibleProvider({ baseURL: server!.url, model: MODEL }).describe());
      expect(error.reason).toBe("bad-response");
      expect(error.hint).toContain("/v1");
    });

    it("reports a closed port as unreachable, naming the base URL", async () => {
      const baseURL = `http://127.0.0.1:${await freePort()}/v1`;
      const error = await llmError(new OpenAICompatibleProvider({ baseURL, model: MODEL }).describe());
      expect(error.reason).toBe("unreachable");
      expect(error.retryable).toBe(true);
      expect(error.hint).toContain(baseURL);
      expect(error.hint).toContain("baseURL");
    });
  });

  describe("errors", () => {
    const cases = fixture<ErrorFixture>("errors.json").cases;

    it.each(cases.map((c) => [c.name, c] as const))("classifies %s", async (_, c) => {
      const provider = await start([{ error: { status: c.status, body: c.body } }]);
      const error = await llmError(provider.chat(request()));
      expect({ reason: error.reason, retryable: error.retryable }).toEqual({ reason: c.reason, retryable: c.retryable });
      expect(error.hint.length).toBeGreaterThan(10);
    });

    it("keeps the message of vLLM's older error format", async () => {
      const [legacy] = cases;
      const provider = await start([{ error: { status: legacy!.status, body: legacy!.body } }]);
      const error = await llmError(provider.chat(request()));
      expect(error.message).toContain("This model's maximum context length is 16384 tokens");
    });

    it("tells to set the API key when the server refuses the one sent", async () => {
      const provider = await start([{ content: "never" }], { apiKey: "sk-wrong" }, { apiKey: "sk-right" });
      const error = await llmError(provider.chat(request()));
      expect(error.reason).toBe("bad-response");
      expect(error.hint).toContain("apiKey");
    });

    it("reports a model vLLM does not serve as model-not-found", async () => {
      const provider = await start([{ content: "never" }], {}, { model: MODEL });
      const wrong = new OpenAICompatibleProvider({ baseURL: server!.baseURL, model: "gpt-4o" });
      const error = await llmError(wrong.chat(request()));
      expect(error.reason).toBe("model-not-found");
      expect(error.message).toContain("gpt-4o");
      expect((await provider.chat(request())).message.content).toBe("never");
    });

    it("classifies an error event in the middle of a stream", async () => {
      const first = {
        id: "c",
        object: "chat.completion.chunk",
        created: 1,
        model: MODEL,
        choices: [{ index: 0, delta: { content: "Hel" }, finish_reason: null }],
      };
      const provider = await start([replay([first, { error: { code: 500, message: "slot unavailable", type: "server_error" } }])]);
      const error = await llmError(provider.chat(request()));
      expect(error.reason).toBe("server-error");
      expect(error.retryable).toBe(true);
      expect(error.message).toContain("slot unavailable");
    });

    it("reports a stream that ends without a finish_reason as a retryable server error", async () => {
      const events = fixture<StreamFixture>("vllm-stream-tool-call.json").events.slice(0, 4);
      const provider = await start([replay(events)]);
      const error = await llmError(provider.chat(request()));
      expect(error.reason).toBe("server-error");
      expect(error.retryable).toBe(true);
    });

    it("reports a closed port as unreachable and retryable", async () => {
      const baseURL = `http://127.0.0.1:${await freePort()}/v1`;
      const error = await llmError(new OpenAICompatibleProvider({ baseURL, model: MODEL }).chat(request()));
      expect(error.reason).toBe("unreachable");
      expect(error.retryable).toBe(true);
      expect(error.message).toContain(baseURL);
    });

    it("gives up on a stream that stops sending, as a retryable timeout", async () => {
      const events = fixture<StreamFixture>("vllm-stream-tool-call.json").events.slice(0, 3);
      const provider = await start([replay(events, { hang: true })], { timeoutMs: 300 });
      const started = Date.now();
      const error = await llmError(provider.chat(request()));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error.reason).toBe("timeout");
      expect(error.retryable).toBe(true);
      expect(error.message).toContain("300 ms");
    });

    it("gives up on a server that never answers, as a retryable timeout", async () => {
      const provider = await start([{ delayMs: 10_000, turn: { content: "too late" } }], { timeoutMs: 300 });
      const error = await llmError(provider.chat(request()));
      expect(error.reason).toBe("timeout");
      expect(error.retryable).toBe(true);
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

    it("reports aborted when the signal aborts in the middle of a stream", async () => {
      const events = fixture<StreamFixture>("vllm-stream-tool-call.json").events.slice(0, 3);
      const provider = await start([replay(events, { hang: true })]);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 150);
      const error = await llmError(provider.chat(request({ signal: controller.signal })));
      expect(error.reason).toBe("aborted");
    });
  });
});
