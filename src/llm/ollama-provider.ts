import { randomBytes } from "node:crypto";
import { Ollama, type ChatResponse, type Message as OllamaMessage, type Tool as OllamaTool } from "ollama";
import { IdleWatchdog } from "./idle-watchdog.js";
import { ollamaError } from "./ollama-errors.js";
import { readShowResponse } from "./ollama-model-info.js";
import type { ChatMessage, ChatRequest, ChatResult, LlmProvider, ModelInfo, ToolCall } from "./types.js";

export interface OllamaProviderOptions {
  readonly host: string;
  readonly model: string;
  /**
   * Sent as `num_ctx` on every request: Ollama's own default silently truncates an agent's
   * context. Without it, the model's trained context from `/api/show`, capped by `maxContextSize`.
   */
  readonly contextSize?: number;
  /** Cap on a context size read from the model (default 32768): the KV cache's memory grows with it. */
  readonly maxContextSize?: number;
  readonly temperature?: number;
  /**
   * Milliseconds without a streamed chunk before a call is abandoned as a retryable timeout.
   * Generous by default (5 minutes) because the first request after a restart loads the model.
   */
  readonly timeoutMs?: number;
}

/** `ModelInfo` plus where the context size came from, for `coder-bot doctor` and the logs. */
export interface OllamaModelInfo extends ModelInfo {
  readonly contextSizeSource: "options" | "model" | "default";
}

const DEFAULT_MAX_CONTEXT = 32768;
/** Used when neither the options nor the model say; Ollama's own default is smaller still. */
const FALLBACK_CONTEXT = 8192;
const DEFAULT_TIMEOUT_MS = 300_000;

/**
 * Ollama's native chat API, streamed, with tool calling, through the official `ollama` client.
 *
 * @example
 * const provider = new OllamaProvider({ host: "http://127.0.0.1:11434", model: "qwen2.5-coder:7b" });
 * const info = await provider.describe(); // throws LlmError("model-not-found") with `ollama pull …` as hint
 * const reply = await provider.chat({ messages, tools });
 */
export class OllamaProvider implements LlmProvider {
  readonly label: string;
  readonly #options: OllamaProviderOptions;
  #described: Promise<OllamaModelInfo> | undefined;

  constructor(options: OllamaProviderOptions) {
    this.#options = options;
    this.label = `ollama:${options.model}`;
  }

  get #timeoutMs(): number {
    return this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  #client(signal: AbortSignal): Ollama {
    return new Ollama({ host: this.#options.host, fetch: fetchWithSignal(signal) });
  }

  /** Reads the model once; a failure is not cached, so the next call asks again. */
  describe(signal?: AbortSignal): Promise<OllamaModelInfo> {
    this.#described ??= this.#readModel(signal).catch((error: unknown) => {
      this.#described = undefined;
      throw error;
    });
    return this.#described;
  }

  async #readModel(signal: AbortSignal | undefined): Promise<OllamaModelInfo> {
    const { host, model, contextSize, maxContextSize } = this.#options;
    const watchdog = new IdleWatchdog(this.#timeoutMs, signal);
    try {
      const facts = readShowResponse(await this.#client(watchdog.signal).show({ model }));
      const cap = maxContextSize ?? DEFAULT_MAX_CONTEXT;
      const [size, source] =
        contextSize !== undefined
          ? [contextSize, "options" as const]
          : facts.contextLength !== undefined
            ? [Math.min(facts.contextLength, cap), "model" as const]
            : [Math.min(FALLBACK_CONTEXT, cap), "default" as const];
      // Ollama's `format` takes a JSON Schema (0.5 and later), so constrained decoding is always there.
      return { contextSize: size, nativeTools: facts.nativeTools, constrainedDecoding: true, contextSizeSource: source };
    } catch (error) {
      throw ollamaError(error, {
        host,
        model,
        aborted: signal?.aborted ?? false,
        ...(watchdog.fired ? { silentForMs: watchdog.idleMs } : {}),
      });
    } finally {
      watchdog.dispose();
    }
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    const { host, model, temperature } = this.#options;
    const numCtx = this.#options.contextSize ?? (await this.describe(request.signal)).contextSize;
    const watchdog = new IdleWatchdog(this.#timeoutMs, request.signal);
    try {
      const stream = await this.#client(watchdog.signal).chat({
        model,
        stream: true,
        messages: request.messages.map(toOllamaMessage),
        ...(request.tools.length > 0 ? { tools: request.tools.map(toOllamaTool) } : {}),
        ...(request.responseSchema ? { format: request.responseSchema } : {}),
        options: {
          num_ctx: numCtx,
          temperature: temperature ?? 0.2,
          ...(request.maxTokens !== undefined ? { num_predict: request.maxTokens } : {}),
        },
      });
      return await collectReply(stream, watchdog);
    } catch (error) {
      throw ollamaError(error, {
        host,
        model,
        aborted: request.signal?.aborted ?? false,
        ...(watchdog.fired ? { silentForMs: watchdog.idleMs } : {}),
      });
    } finally {
      watchdog.dispose();
    }
  }
}

/** The `ollama` client takes no per-call signal for every method, but it does take a `fetch`. */
function fetchWithSignal(signal: AbortSignal): typeof fetch {
  return (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
}

/**
 * Joins the streamed chunks. Tool calls usually arrive in a chunk of their own before the final
 * one, but some model parsers (qwen3-coder) put them in the `done` chunk itself, so every chunk
 * is read the same way.
 */
async function collectReply(stream: AsyncIterable<ChatResponse>, watchdog: IdleWatchdog): Promise<ChatResult> {
  let content = "";
  const toolCalls: ToolCall[] = [];
  let final: ChatResponse | undefined;
  for await (const chunk of stream) {
    watchdog.touch();
    content += chunk.message?.content ?? "";
    for (const call of chunk.message?.tool_calls ?? []) {
      const id = (call as { id?: unknown }).id;
      toolCalls.push({
        id: typeof id === "string" && id !== "" ? id : `call_${randomBytes(4).toString("hex")}`,
        name: call.function.name,
        arguments: call.function.arguments,
      });
    }
    if (chunk.done) final = chunk;
  }
  return {
    message: { content, toolCalls },
    usage: { promptTokens: final?.prompt_eval_count ?? 0, completionTokens: final?.eval_count ?? 0 },
    doneReason: final?.done_reason || "stop",
  };
}

function toOllamaTool(tool: ChatRequest["tools"][number]): OllamaTool {
  return { type: "function", function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

function toOllamaMessage(message: ChatMessage): OllamaMessage {
  switch (message.role) {
    case "assistant":
      return {
        role: "assistant",
        content: message.content,
        ...(message.toolCalls.length > 0
          ? { tool_calls: message.toolCalls.map((c) => ({ function: { name: c.name, arguments: argumentsObject(c.arguments) } })) }
          : {}),
      };
    case "tool":
      return { role: "tool", content: message.content, tool_name: message.toolName };
    default:
      return { role: message.role, content: message.content };
  }
}

/** Ollama rejects a call whose arguments are not an object, so raw text goes back parsed or empty. */
function argumentsObject(value: unknown): Record<string, unknown> {
  if (typeof value === "string") {
    try {
      return argumentsObject(JSON.parse(value) as unknown);
    } catch {
      return {};
    }
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
