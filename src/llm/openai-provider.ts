import OpenAI, { NotFoundError } from "openai";
import type { ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { IdleWatchdog } from "./idle-watchdog.js";
import { LlmError } from "./llm-error.js";
import { fetchWithOpenAIErrorBodies } from "./openai-error-body.js";
import { openAIError } from "./openai-errors.js";
import { toOpenAIMessage, toOpenAITool } from "./openai-messages.js";
import { contextSizeOfEntry, findModelEntry, modelEntries, type ModelEntry } from "./openai-model-info.js";
import { ChatCompletionAccumulator } from "./openai-stream-accumulator.js";
import type { ChatRequest, ChatResult, LlmProvider, ModelInfo } from "./types.js";

export interface OpenAICompatibleProviderOptions {
  /** The API root, usually ending in `/v1`: `http://127.0.0.1:8000/v1` (vLLM), `http://127.0.0.1:8080/v1` (llama.cpp server). */
  readonly baseURL: string;
  readonly model: string;
  /** Sent as a bearer token; local servers started without a key ignore it. */
  readonly apiKey?: string;
  /** The server's window; without it, what `/models` reports, else 8192. */
  readonly contextSize?: number;
  /** Milliseconds without a response byte or streamed chunk before a call is abandoned (default 5 minutes). */
  readonly timeoutMs?: number;
  /** Whether the server honours `response_format` json_schema (vLLM, llama.cpp, LM Studio do); default true. */
  readonly jsonSchema?: boolean;
  readonly temperature?: number;
}

/** `ModelInfo` plus where the context size came from, for `coder-bot doctor` and the logs. */
export interface OpenAICompatibleModelInfo extends ModelInfo {
  readonly contextSizeSource: "options" | "server" | "default";
}

const DEFAULT_CONTEXT = 8192;
const DEFAULT_TIMEOUT_MS = 300_000;
/** Local servers ignore the key, but the SDK insists on one; a placeholder also keeps OPENAI_API_KEY from leaking to them. */
const NO_KEY = "sk-no-key-required";
const LISTED_MODELS = 10;

/**
 * Chat Completions over the `openai` SDK, for vLLM, llama.cpp server, LM Studio and gateways.
 * The SDK's own retries are off: the agent loop retries with its own backoff.
 *
 * @example
 * const provider = new OpenAICompatibleProvider({ baseURL: "http://127.0.0.1:8000/v1", model: "Qwen/Qwen2.5-Coder-7B-Instruct" });
 * const info = await provider.describe(); // model-not-found lists what the server has
 * const reply = await provider.chat({ messages, tools });
 */
export class OpenAICompatibleProvider implements LlmProvider {
  readonly label: string;
  readonly #options: OpenAICompatibleProviderOptions;
  readonly #client: OpenAI;
  #described: Promise<OpenAICompatibleModelInfo> | undefined;

  constructor(options: OpenAICompatibleProviderOptions) {
    this.#options = options;
    this.label = `openai:${options.model}`;
    this.#client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey ?? NO_KEY,
      maxRetries: 0,
      timeout: this.#timeoutMs,
      fetch: fetchWithOpenAIErrorBodies(),
    });
  }

  get #timeoutMs(): number {
    return this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Checks the model against `GET /models` once; a failure is not cached, so the next call asks again. */
  describe(signal?: AbortSignal): Promise<OpenAICompatibleModelInfo> {
    this.#described ??= this.#readModel(signal).catch((error: unknown) => {
      this.#described = undefined;
      throw error;
    });
    return this.#described;
  }

  async #readModel(signal: AbortSignal | undefined): Promise<OpenAICompatibleModelInfo> {
    const { baseURL, model, contextSize, jsonSchema } = this.#options;
    const watchdog = new IdleWatchdog(this.#timeoutMs, signal);
    let entries: ModelEntry[];
    try {
      const page = await this.#client.models.list({ signal: watchdog.signal });
      entries = modelEntries({ data: page.data });
    } catch (error) {
      if (error instanceof NotFoundError) {
        throw new LlmError("bad-response", `the server at ${baseURL} has no model list (GET ${baseURL}/models answered 404)`, {
          hint: "check the provider's baseURL: OpenAI-compatible servers serve under /v1, so it usually ends in /v1",
          cause: error,
        });
      }
      throw this.#error(error, signal, watchdog);
    } finally {
      watchdog.dispose();
    }
    const entry = findModelEntry(entries, model);
    if (!entry) {
      const listed = entries.slice(0, LISTED_MODELS).map((e) => e.id);
      const more = entries.length > LISTED_MODELS ? `, and ${entries.length - LISTED_MODELS} more` : "";
      throw new LlmError("model-not-found", `the server at ${baseURL} does not serve the model "${model}"`, {
        hint:
          listed.length > 0
            ? `set the model to one the server has: ${listed.join(", ")}${more}`
            : `the server lists no models; load "${model}" on it first`,
      });
    }
    const reported = contextSize === undefined ? await this.#serverContextSize(entry, signal) : undefined;
    const contextSizeSource = contextSize !== undefined ? "options" : reported !== undefined ? "server" : "default";
    // Tool support cannot be asked for; a refusal on the first call says so ("tools-unsupported").
    return {
      contextSize: contextSize ?? reported ?? DEFAULT_CONTEXT,
      nativeTools: true,
      constrainedDecoding: jsonSchema ?? true,
      contextSizeSource,
    };
  }

  /** The entry's own figure, else LM Studio's native model endpoint; anything failing means "unknown". */
  async #serverContextSize(entry: ModelEntry, signal: AbortSignal | undefined): Promise<number | undefined> {
    const listed = contextSizeOfEntry(entry);
    if (listed !== undefined) return listed;
    const origin = this.#options.baseURL.replace(/\/+$/, "").replace(/\/v1$/, "");
    try {
      const response = await fetch(`${origin}/api/v0/models/${encodeURIComponent(entry.id)}`, {
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(5_000)]) : AbortSignal.timeout(5_000),
      });
      return response.ok ? contextSizeOfEntry(await response.json()) : undefined;
    } catch {
      return undefined;
    }
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    const { model, temperature, jsonSchema } = this.#options;
    const params: ChatCompletionCreateParamsStreaming = {
      model,
      messages: request.messages.map(toOpenAIMessage),
      stream: true,
      stream_options: { include_usage: true },
      ...(request.tools.length > 0 ? { tools: request.tools.map(toOpenAITool) } : {}),
      ...(request.responseSchema && (jsonSchema ?? true)
        ? { response_format: { type: "json_schema", json_schema: { name: "tool_call", schema: request.responseSchema, strict: false } } }
        : {}),
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
    };
    const watchdog = new IdleWatchdog(this.#timeoutMs, request.signal);
    const reply = new ChatCompletionAccumulator();
    try {
      const stream = await this.#client.chat.completions.create(params, { signal: watchdog.signal });
      for await (const chunk of stream) {
        watchdog.touch();
        reply.add(chunk);
      }
    } catch (error) {
      throw this.#error(error, request.signal, watchdog);
    } finally {
      watchdog.dispose();
    }
    // The SDK ends the iteration quietly when its signal aborts, so a cut stream looks like a short one.
    if (request.signal?.aborted || watchdog.fired || !reply.finished) {
      throw this.#error(new Error("the stream ended before a finish_reason"), request.signal, watchdog, !reply.finished);
    }
    return reply.result();
  }

  #error(error: unknown, signal: AbortSignal | undefined, watchdog: IdleWatchdog, cutShort = false): LlmError {
    const call = {
      baseURL: this.#options.baseURL,
      model: this.#options.model,
      aborted: signal?.aborted ?? false,
      ...(watchdog.fired ? { silentForMs: watchdog.idleMs } : {}),
    };
    if (cutShort && !call.aborted && !watchdog.fired) {
      return new LlmError("server-error", `the server at ${call.baseURL} ended the stream before saying why generation stopped`, {
        hint: "check the server's log: it may have crashed or restarted in the middle of the reply",
        retryable: true,
        cause: error,
      });
    }
    return openAIError(error, call);
  }
}
