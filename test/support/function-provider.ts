import type { ChatRequest, ChatResult, LlmProvider, ModelInfo, ToolCall } from "../../src/llm/types.js";

export interface FunctionReply {
  readonly content?: string;
  readonly toolCalls?: ReadonlyArray<Omit<ToolCall, "id"> & { id?: string }>;
  readonly doneReason?: string;
}

/**
 * A model whose every reply is computed from the request: for tests that must answer what was
 * asked (a summary request in the middle of a run) rather than replay a fixed list.
 */
export class FunctionProvider implements LlmProvider {
  readonly label: string;
  readonly requests: ChatRequest[] = [];
  readonly #info: ModelInfo;
  readonly #reply: (request: ChatRequest, index: number) => FunctionReply | Promise<FunctionReply>;

  constructor(
    info: Partial<ModelInfo>,
    reply: (request: ChatRequest, index: number) => FunctionReply | Promise<FunctionReply>,
    label = "function",
  ) {
    this.#info = { contextSize: 32768, nativeTools: true, constrainedDecoding: false, ...info };
    this.#reply = reply;
    this.label = label;
  }

  describe(): Promise<ModelInfo> {
    return Promise.resolve(this.#info);
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    this.requests.push(request);
    const index = this.requests.length - 1;
    const reply = await this.#reply(request, index);
    const toolCalls = (reply.toolCalls ?? []).map((call, i) => ({
      id: call.id ?? `native_${index}_${i}`,
      name: call.name,
      arguments: call.arguments,
    }));
    return {
      message: { content: reply.content ?? "", toolCalls },
      usage: { promptTokens: 100, completionTokens: 10 },
      doneReason: reply.doneReason ?? "stop",
    };
  }
}
