import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { LlmErrorReason } from "../../src/llm/llm-error.js";
import { OllamaProvider, type OllamaProviderOptions } from "../../src/llm/ollama-provider.js";
import type { ChatRequest } from "../../src/llm/types.js";
import { freePort } from "../support/net.js";
import { startScriptedOllama, type ScriptedOllama, type ScriptedTurn } from "../support/scripted-ollama.js";
import { conversation, llmError, readFileSpec } from "../support/llm-kit.js";

interface StreamFixture {
  model: string;
  lines: Array<Record<string, unknown>>;
}
interface ShowFixture {
  model: string;
  body: Record<string, unknown>;
}
interface ErrorFixture {
  cases: Array<{ name: string; status: number; body: { error: string }; reason: LlmErrorReason; retryable: boolean }>;
}

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/llm-responses/ollama/${name}`, import.meta.url), "utf8")) as T;
}

const MODEL = "qwen2.5-coder:7b";

describe("OllamaProvider", () => {
  let server: ScriptedOllama | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(
    script: ScriptedTurn[],
    options: Partial<OllamaProviderOptions> = {},
    serverOptions: { model?: string; show?: Record<string, unknown> } = {},
  ): Promise<OllamaProvider> {
    server = await startScriptedOllama({ script, ...serverOptions });
    return new OllamaProvider({ host: server.url, model: serverOptions.model ?? MODEL, contextSize: 8192, ...options });
  }

  const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({ messages: conversation, tools: [readFileSpec], ...overrides });
  const showRequests = () => server!.requests.filter((r) => r.path === "/api/show");

  describe("streamed replies", () => {
    it("joins the content of a recorded qwen3 stream and reads the final chunk's counts", async () => {
      const recorded = fixture<StreamFixture>("stream-content-qwen3.json");
      const provider = await start([{ raw: { lines: recorded.lines } }], {}, { model: recorded.model });
      const result = await provider.chat(request());
      const final = recorded.lines.at(-1)!;
      expect(result.message.content).toBe(recorded.lines.map((l) => (l.message as { content: string }).content).join(""));
      expect(result.message.content.startsWith("<think>\nOkay, the user")).toBe(true);
      expect(result.message.toolCalls).toEqual([]);
      expect(result.usage).toEqual({ promptTokens: final.prompt_eval_count, completionTokens: final.eval_count });
      expect(result.doneReason).toBe("stop");
    });

    it("keeps the ids and arguments of tool calls streamed in a chunk of their own", async () => {
      const recorded = fixture<StreamFixture>("stream-tool-call.json");
      const provider = await start([{ raw: { lines: recorded.lines } }], {}, { model: recorded.model });
      const result = await provider.chat(request());
      expect(result.message).toEqual({
        content: "",
        toolCalls: [
          { id: "call_k2x9q0ab", name: "get_current_weather", arguments: { format: "celsius", location: "Paris, FR" } },
          { id: "call_7hd2m1zz", name: "get_current_weather", arguments: { format: "celsius", location: "Toronto, CA" } },
        ],
      });
      expect(result.usage).toEqual({ promptTokens: 122, completionTokens: 33 });
    });

    it("finds tool calls that arrive in the done chunk itself, giving them ids", async () => {
      const recorded = fixture<StreamFixture>("stream-tool-call-in-done-chunk.json");
      const provider = await start([{ raw: { lines: recorded.lines } }], {}, { model: recorded.model });
      const result = await provider.chat(request());
      expect(result.message.toolCalls).toEqual([
        { id: expect.stringMatching(/^call_[0-9a-f]{8}$/), name: "get_weather", arguments: { city: "Paris" } },
      ]);
    });

    it("streams several tool calls after some text, each with its own id", async () => {
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
      expect(result.message.toolCalls.map(({ name, arguments: args }) => ({ name, args }))).toEqual([
        { name: "read_file", args: { path: "src/a.ts" } },
        { name: "grep", args: { pattern: "Helo", ignore_case: true } },
      ]);
      const ids = result.message.toolCalls.map((c) => c.id);
      expect(ids.every((id) => /^call_[0-9a-f]{8}$/.test(id))).toBe(true);
      expect(new Set(ids).size).toBe(2);
      expect(provider.label).toBe(`ollama:${MODEL}`);
    });

    it("returns plain text with no tool calls", async () => {
      const provider = await start([{ content: "All done." }]);
      expect((await provider.chat(request())).message).toEqual({ content: "All done.", toolCalls: [] });
    });

    it("reports the done reason and the token counts of the final chunk", async () => {
      const reply = "x".repeat(400);
      const provider = await start([{ content: reply, doneReason: "length" }]);
      const result = await provider.chat(request());
      // The scripted server counts four characters a token, like a rough tokenizer.
      const promptChars = conversation.reduce((n, m) => n + m.content.length, 0);
      expect(result.usage).toEqual({ promptTokens: Math.round(promptChars / 4), completionTokens: 100 });
      expect(result.doneReason).toBe("length");
    });
  });

  describe("what is sent", () => {
    it("streams with the model, num_ctx from the options, the tools and the messages", async () => {
      const provider = await start([{ content: "ok" }], { contextSize: 12_345 });
      await provider.chat(request());
      const [body] = server!.chatRequests();
      expect(body).toMatchObject({ model: MODEL, stream: true, options: { num_ctx: 12_345, temperature: 0.2 } });
      expect(body?.tools).toEqual([
        { type: "function", function: { name: "read_file", description: "Read a file", parameters: readFileSpec.parameters } },
      ]);
      expect(body?.messages).toEqual([
        { role: "system", content: "You are a careful engineer." },
        { role: "user", content: "Fix the typo." },
      ]);
      expect(body).not.toHaveProperty("format");
      expect(body?.options).not.toHaveProperty("num_predict");
      expect(showRequests()).toHaveLength(0);
    });

    it("sends the response schema as format, maxTokens as num_predict, and no tools in text mode", async () => {
      const schema = { type: "object", properties: { tool: { type: "string" } }, required: ["tool"] };
      const provider = await start([{ content: '{"tool":"finish"}' }]);
      await provider.chat(request({ tools: [], responseSchema: schema, maxTokens: 256 }));
      const [body] = server!.chatRequests();
      expect(body?.format).toEqual(schema);
      expect(body?.options).toMatchObject({ num_predict: 256 });
      expect(body).not.toHaveProperty("tools");
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

    it.each([
      ["the model's own window", "show-with-capabilities.json", {}, 32768],
      ["a trained window above the default cap", "show-llama3.1-tools-template.json", {}, 32768],
      ["a trained window under a raised cap", "show-llama3.1-tools-template.json", { maxContextSize: 65536 }, 65536],
      ["a small trained window", "show-llama3.2-docs.json", {}, 8192],
      ["no model_info at all", "show-gemma-before-model-info.json", { maxContextSize: 4096 }, 4096],
    ])("without a configured size, sends num_ctx from /api/show: %s", async (_, file, options, expected) => {
      const show = fixture<ShowFixture>(file);
      const provider = await start(
        [{ content: "one" }, { content: "two" }],
        { contextSize: undefined, ...options },
        { model: show.model, show: show.body },
      );
      await provider.chat(request());
      await provider.chat(request());
      expect(server!.chatRequests().map((b) => b.options?.num_ctx)).toEqual([expected, expected]);
      expect(showRequests()).toHaveLength(1);
    });
  });

  describe("describe()", () => {
    it.each([
      ["capabilities listing tools", "show-with-capabilities.json", true, 32768, "model"],
      ["capabilities without tools", "show-gemma3-no-tools.json", false, 32768, "model"],
      ["no capabilities, a template using .Tools", "show-llama3.1-tools-template.json", true, 32768, "model"],
      ["no capabilities, a template without .Tools", "show-llama3.2-docs.json", false, 8192, "model"],
      ["no model_info", "show-gemma-before-model-info.json", false, 8192, "default"],
    ])("reads a pulled model with %s", async (_, file, nativeTools, contextSize, source) => {
      const show = fixture<ShowFixture>(file);
      const provider = await start([], { contextSize: undefined }, { model: show.model, show: show.body });
      const info = await provider.describe();
      expect(info).toEqual({ contextSize, nativeTools, constrainedDecoding: true, contextSizeSource: source });
      await provider.describe();
      expect(showRequests()).toHaveLength(1);
    });

    it("prefers the configured context size", async () => {
      const provider = await start([], { contextSize: 16384 });
      expect(await provider.describe()).toMatchObject({ contextSize: 16384, contextSizeSource: "options", nativeTools: true });
    });

    it("reports a model that is not pulled with the pull command, and asks again next time", async () => {
      const provider = await start([], {}, { model: "qwen2.5-coder:7b" });
      const missing = new OllamaProvider({ host: server!.url, model: "llama-missing:3b" });
      const error = await llmError(missing.describe());
      expect(error.reason).toBe("model-not-found");
      expect(error.retryable).toBe(false);
      expect(error.hint).toContain("ollama pull llama-missing:3b");
      await llmError(missing.describe());
      expect(showRequests()).toHaveLength(2);
      expect((await provider.describe()).nativeTools).toBe(true);
    });

    it("reports a closed port as unreachable, with how to start Ollama", async () => {
      const port = await freePort();
      const error = await llmError(new OllamaProvider({ host: `http://127.0.0.1:${port}`, model: MODEL }).describe());
      expect(error.reason).toBe("unreachable");
      expect(error.retryable).toBe(true);
      expect(error.hint).toContain("ollama serve");
      expect(error.hint).toContain("OLLAMA_HOST");
    });
  });

  describe("errors", () => {
    const cases = fixture<ErrorFixture>("errors.json").cases;

    it.each(cases.map((c) => [c.name, c] as const))("classifies Ollama's answer for %s", async (_, c) => {
      const provider = await start([{ error: { status: c.status, message: c.body.error } }]);
      const error = await llmError(provider.chat(request()));
      expect({ reason: error.reason, retryable: error.retryable }).toEqual({ reason: c.reason, retryable: c.retryable });
      expect(error.hint.length).toBeGreaterThan(10);
    });

    it("names the model and the pull command when the model is missing", async () => {
      const provider = await start([{ content: "never" }], { contextSize: 4096 }, {});
      const missing = new OllamaProvider({ host: server!.url, model: "llama-missing:3b", contextSize: 4096 });
      const error = await llmError(missing.chat(request()));
      expect(error.message).toBe(`Ollama at ${server!.url} does not have the model "llama-missing:3b"`);
      expect(error.hint).toContain("ollama pull llama-missing:3b");
      expect(server!.turnsServed).toBe(0);
      expect((await provider.chat(request())).message.content).toBe("never");
    });

    it("reports a 500 with Ollama's own words, retryable", async () => {
      const provider = await start([{ error: { status: 500, message: "llama runner crashed" } }]);
      const error = await llmError(provider.chat(request()));
      expect(error.message).toBe("Ollama answered 500: llama runner crashed");
      expect(error.hint).toBe("check the Ollama server's log");
    });

    it("reads the message of an OpenAI-style error object too", async () => {
      const body = {
        error: {
          code: 400,
          message: "request (9000 tokens) exceeds the available context size (8192 tokens), try increasing it",
          type: "exceed_context_size_error",
        },
      };
      const provider = await start([{ raw: { status: 400, lines: [body] } }]);
      const error = await llmError(provider.chat(request()));
      expect(error.reason).toBe("context-overflow");
      expect(error.message).toContain("9000 tokens");
    });

    it("reports an error line after the stream started as a retryable server error", async () => {
      const recorded = fixture<StreamFixture>("stream-error-after-start.json");
      const provider = await start([{ raw: { lines: recorded.lines } }], {}, { model: recorded.model });
      const error = await llmError(provider.chat(request()));
      expect(error.reason).toBe("server-error");
      expect(error.retryable).toBe(true);
      expect(error.message).toContain("unexpected EOF");
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

    it("gives up on a stream that stops sending, as a retryable timeout", async () => {
      const recorded = fixture<StreamFixture>("stream-content-qwen3.json");
      const provider = await start(
        [{ raw: { lines: recorded.lines.slice(0, 3), hang: true } }],
        { timeoutMs: 300 },
        { model: recorded.model },
      );
      const started = Date.now();
      const error = await llmError(provider.chat(request()));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error.reason).toBe("timeout");
      expect(error.retryable).toBe(true);
      expect(error.message).toContain("300 ms");
    });

    it("keeps waiting while chunks keep coming, however long the whole reply takes", async () => {
      const slow: ScriptedTurn[] = [{ delayMs: 200, turn: { content: "late but alive" } }];
      const provider = await start(slow, { timeoutMs: 1_000 });
      expect((await provider.chat(request())).message.content).toBe("late but alive");
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
});
