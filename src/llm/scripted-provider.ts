import { LlmError } from "./llm-error.js";
import type { ChatRequest, ChatResult, LlmProvider, ModelInfo } from "./types.js";

/** One reply of a scripted model: text and/or tool calls. */
export interface ScriptedReply {
  readonly content?: string;
  readonly toolCalls?: ReadonlyArray<{ readonly name: string; readonly arguments: unknown }>;
}

/**
 * A model that replays a fixed list of replies, in order, whatever it is sent. The same script
 * format is served over Ollama's HTTP protocol in tests, so the real client code runs too.
 */
export class ScriptedProvider implements LlmProvider {
  readonly label = "scripted";
  readonly requests: ChatRequest[] = [];
  readonly #script: readonly ScriptedReply[];
  #next = 0;

  readonly #info: ModelInfo;

  constructor(script: readonly ScriptedReply[], info: Partial<ModelInfo> = {}) {
    this.#script = script;
    this.#info = { contextSize: 32768, nativeTools: true, constrainedDecoding: false, ...info };
  }

  describe(): Promise<ModelInfo> {
    return Promise.resolve(this.#info);
  }

  chat(request: ChatRequest): Promise<ChatResult> {
    if (request.signal?.aborted) return Promise.reject(new LlmError("aborted", "the model call was aborted", { hint: "" }));
    this.requests.push(request);
    const reply = this.#script[this.#next++] ?? { content: "" };
    const toolCalls = (reply.toolCalls ?? []).map((call, i) => ({
      id: `call_${this.#next}_${i}`,
      name: call.name,
      arguments: call.arguments,
    }));
    const promptChars = request.messages.reduce((n, m) => n + m.content.length, 0);
    return Promise.resolve({
      message: { content: reply.content ?? "", toolCalls },
      usage: { promptTokens: Math.ceil(promptChars / 4), completionTokens: Math.ceil(JSON.stringify(reply).length / 4) },
      doneReason: "stop",
    });
  }
}
