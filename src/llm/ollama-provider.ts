import { randomUUID } from "node:crypto";
import { Ollama, type Message as OllamaMessage, type Tool as OllamaTool } from "ollama";
import { LlmError } from "./llm-error.js";
import type { ChatMessage, ChatRequest, ChatResult, LlmProvider, ModelInfo, ToolCall } from "./types.js";

export interface OllamaProviderOptions {
  readonly host: string;
  readonly model: string;
  /** Sent as `num_ctx` on every request: Ollama's own default silently truncates an agent's context. */
  readonly contextSize: number;
  readonly temperature?: number;
}

/** Ollama's native chat API with tool calling, through the official `ollama` client. */
export class OllamaProvider implements LlmProvider {
  readonly label: string;
  readonly #options: OllamaProviderOptions;

  constructor(options: OllamaProviderOptions) {
    this.#options = options;
    this.label = `ollama:${options.model}`;
  }

  #client(signal: AbortSignal | undefined): Ollama {
    return new Ollama({
      host: this.#options.host,
      fetch: (input, init) => fetch(input, { ...init, signal: signal && init?.signal ? AbortSignal.any([signal, init.signal]) : (signal ?? init?.signal) }),
    });
  }

  async describe(): Promise<ModelInfo> {
    return { contextSize: this.#options.contextSize, nativeTools: true, constrainedDecoding: true };
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    const { model, contextSize, temperature } = this.#options;
    try {
      const response = await this.#client(request.signal).chat({
        model,
        stream: false,
        messages: request.messages.map(toOllamaMessage),
        tools: request.tools.map((t): OllamaTool => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.parameters as OllamaTool["function"]["parameters"] } })),
        options: { num_ctx: contextSize, temperature: temperature ?? 0.2 },
      });
      const toolCalls: ToolCall[] = (response.message.tool_calls ?? []).map((call) => ({
        id: (call as { id?: string }).id ?? randomUUID(),
        name: call.function.name,
        arguments: call.function.arguments,
      }));
      return {
        message: { content: response.message.content ?? "", toolCalls },
        usage: { promptTokens: response.prompt_eval_count ?? 0, completionTokens: response.eval_count ?? 0 },
        doneReason: response.done_reason ?? "stop",
      };
    } catch (error) {
      throw this.#classify(error, request.signal);
    }
  }

  #classify(error: unknown, signal: AbortSignal | undefined): LlmError {
    const { host, model } = this.#options;
    if (signal?.aborted) return new LlmError("aborted", "the model call was aborted", { hint: "", cause: error });
    const status = (error as { status_code?: number }).status_code;
    const message = error instanceof Error ? error.message : String(error);
    if (status === 404 || /not found, try pulling/.test(message)) {
      return new LlmError("model-not-found", `Ollama at ${host} does not have the model "${model}"`, { hint: `run \`ollama pull ${model}\` on the Ollama host, or set CODER_MODEL to a model it has`, cause: error });
    }
    if (status !== undefined && status >= 500) {
      if (/context|too long|exceed/i.test(message)) {
        return new LlmError("context-overflow", `the conversation no longer fits the model's context: ${message}`, { hint: "raise CODER_CONTEXT_SIZE or lower the step budget", cause: error });
      }
      return new LlmError("server-error", `Ollama answered ${status}: ${message}`, { hint: "check the Ollama server's log", retryable: true, cause: error });
    }
    if (status !== undefined) {
      return new LlmError("bad-response", `Ollama refused the request (${status}): ${message}`, { hint: "check CODER_MODEL and the Ollama version (tool calling needs Ollama 0.3 or later)", cause: error });
    }
    return new LlmError("unreachable", `cannot reach Ollama at ${host}: ${message}`, { hint: `start Ollama (\`ollama serve\`) or point OLLAMA_HOST at it`, retryable: true, cause: error });
  }
}

function toOllamaMessage(message: ChatMessage): OllamaMessage {
  switch (message.role) {
    case "assistant":
      return {
        role: "assistant",
        content: message.content,
        ...(message.toolCalls.length > 0
          ? { tool_calls: message.toolCalls.map((c) => ({ function: { name: c.name, arguments: (c.arguments ?? {}) as Record<string, unknown> } })) }
          : {}),
      };
    case "tool":
      return { role: "tool", content: message.content, tool_name: message.toolName };
    default:
      return { role: message.role, content: message.content };
  }
}
