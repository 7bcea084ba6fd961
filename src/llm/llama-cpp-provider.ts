import { open, stat } from "node:fs/promises";
import os from "node:os";
import { basename, resolve } from "node:path";
import {
  getLlama,
  LlamaChat,
  resolveModelFile,
  type ChatHistoryItem,
  type GbnfJsonSchema,
  type Llama,
  type LlamaContext,
  type LlamaEmbeddingContext,
  type LlamaGrammar,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import { dropUnsetOptionals, toGrammarSchema } from "./grammar-schema.js";
import { LlmError } from "./llm-error.js";
import type { ChatMessage, ChatRequest, ChatResult, Embedder, LlmProvider, ModelInfo } from "./types.js";

export interface LlamaCppProviderOptions {
  /** A local `.gguf` path, or a model URI (`hf:<user>/<repo>:<quant>`, an https URL) fetched once into `modelsDir`. */
  readonly model: string;
  /** Tokens of context to allocate; capped at the context the model was trained on. */
  readonly contextSize: number;
  /** CPU threads; default `os.availableParallelism()`. node-llama-cpp's own floor of 4 is ~75x slower on 2 cores. */
  readonly threads?: number;
  /** Compute backend; `"auto"` (default) falls back to the CPU when no GPU binary loads. */
  readonly gpu?: "auto" | false | "cuda" | "vulkan" | "metal";
  /** Where model URIs are downloaded (node-llama-cpp's default: ~/.node-llama-cpp/models). */
  readonly modelsDir?: string;
  readonly temperature?: number;
}

/** What the loaded model runs with, for `doctor` output and tests. */
export interface LlamaCppRuntime {
  readonly modelPath: string;
  readonly gpu: string | false;
  /** Threads of the chat context as llama.cpp reports them. */
  readonly threads: number;
  readonly contextSize: number;
  readonly trainContextSize: number;
  readonly embeddingSize: number;
}

interface Loaded {
  readonly llama: Llama;
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  readonly chat: LlamaChat;
  readonly modelPath: string;
}

/** Code-index chunks are far shorter; a larger window only costs memory. Longer texts are truncated, as Ollama does. */
const EMBEDDING_CONTEXT_LIMIT = 2048;
const GRAMMAR_CACHE_LIMIT = 32;
const CONTEXT_HINT = "raise CODER_CONTEXT_SIZE (up to the model's training context) or lower the step budget";

/** Thrown from the context-shift strategy: dropping history silently would change what the model was asked. */
/** Thrown from node-llama-cpp's context-shift hook, where dropping history would lose the task; turned into an LlmError. */
class ContextShiftRefused extends Error {
  readonly reason = "context-shift-refused";
}

/**
 * An embedded llama.cpp model through node-llama-cpp: chat with the model's own chat template,
 * JSON-schema grammars for `responseSchema`, exact token counts and embeddings, all in process.
 * Tools are not offered natively (`nativeTools: false`): the agent describes them in the prompt.
 *
 * @example
 * const llm = new LlamaCppProvider({ model: "/models/qwen3-8b-q4_k_m.gguf", contextSize: 16384 });
 * const info = await llm.describe(); // loads the model
 * const reply = await llm.chat({ messages: [{ role: "user", content: "hi" }], tools: [], maxTokens: 64 });
 * await llm.close();
 */
export class LlamaCppProvider implements LlmProvider, Embedder {
  readonly label: string;
  readonly #options: LlamaCppProviderOptions;
  readonly #threads: number;
  #loading: Promise<Loaded> | undefined;
  #loaded: Loaded | undefined;
  #embedding: Promise<{ context: LlamaEmbeddingContext; size: number }> | undefined;
  readonly #grammars = new Map<string, Promise<LlamaGrammar>>();
  /** One generation at a time: the chat owns a single context sequence. */
  #turn: Promise<unknown> = Promise.resolve();

  constructor(options: LlamaCppProviderOptions) {
    this.#options = options;
    this.#threads = options.threads ?? os.availableParallelism();
    this.label = `llama-cpp:${basename(options.model)}`;
  }

  /** Undefined until the model is loaded. */
  get runtime(): LlamaCppRuntime | undefined {
    const loaded = this.#loaded;
    if (!loaded) return undefined;
    return {
      modelPath: loaded.modelPath,
      gpu: loaded.llama.gpu,
      threads: loaded.context.currentThreads,
      contextSize: loaded.context.contextSize,
      trainContextSize: loaded.model.trainContextSize,
      embeddingSize: loaded.model.embeddingVectorSize,
    };
  }

  async describe(signal?: AbortSignal): Promise<ModelInfo> {
    const { context } = await this.#load(signal);
    return { contextSize: context.contextSize, nativeTools: false, constrainedDecoding: true };
  }

  /** Exact once the model is loaded; a rough estimate before. */
  countTokens(text: string): number {
    return this.#loaded ? this.#loaded.model.tokenize(text).length : Math.ceil(text.length / 3.5);
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    const loaded = await this.#load(request.signal);
    const grammar = request.responseSchema ? await this.#grammar(loaded.llama, request.responseSchema) : undefined;
    const turn = this.#turn.then(() => {
      if (request.signal?.aborted) throw abortedError();
      return this.#generate(loaded, request, grammar);
    });
    this.#turn = turn.catch(() => undefined);
    return turn;
  }

  /** One unit-length vector per text (as Ollama returns them), so a dot product is the cosine. */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const { model } = await this.#load(signal);
    const { context, size } = await this.#embeddingContext(model);
    const vectors: number[][] = [];
    for (const text of texts) {
      if (signal?.aborted) throw abortedError();
      // An empty input yields an empty vector in node-llama-cpp; a space keeps the model's dimension.
      let tokens: Token[] = model.tokenize(text === "" ? " " : text);
      const overhead = context.calculateInputLength(tokens) - tokens.length;
      if (tokens.length + overhead >= size) tokens = tokens.slice(0, size - overhead - 1);
      const { vector } = await context.getEmbeddingFor(tokens);
      vectors.push(normalize(vector));
    }
    return vectors;
  }

  async close(): Promise<void> {
    const loading = this.#loading;
    const embedding = this.#embedding;
    const grammars = [...this.#grammars.values()];
    this.#loading = undefined;
    this.#loaded = undefined;
    this.#embedding = undefined;
    this.#grammars.clear();
    const loaded = await loading?.catch(() => undefined);
    if (!loaded) return;
    // A load that was still running when close() began has just set #loaded.
    if (this.#loaded === loaded) this.#loaded = undefined;
    await this.#turn;
    await Promise.allSettled(grammars);
    await embedding?.then(
      ({ context }) => context.dispose(),
      () => undefined,
    );
    loaded.chat.dispose();
    await loaded.context.dispose();
    await loaded.model.dispose();
    await loaded.llama.dispose();
  }

  #load(signal: AbortSignal | undefined): Promise<Loaded> {
    // Shared by every caller, so one caller's abort stops its wait, not the load.
    this.#loading ??= this.#open().then(
      (loaded) => (this.#loaded = loaded),
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return abortable(this.#loading, signal);
  }

  async #open(): Promise<Loaded> {
    const modelPath = await this.#modelPath();
    await assertGguf(modelPath);
    let llama: Llama;
    try {
      // "never": use the installed prebuilt binary; never clone or compile llama.cpp at run time.
      llama = await getLlama({
        build: "never",
        skipDownload: true,
        gpu: this.#options.gpu ?? "auto",
        maxThreads: this.#threads,
        progressLogs: false,
      });
    } catch (error) {
      throw new LlmError("server-error", `node-llama-cpp has no working llama.cpp binary here: ${messageOf(error)}`, {
        hint: "install node-llama-cpp with its prebuilt binary for this platform (e.g. @node-llama-cpp/linux-x64), or set CODER_LLAMA_GPU=off",
        cause: error,
      });
    }
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath });
    } catch (error) {
      await llama.dispose();
      throw new LlmError("model-not-found", `llama.cpp cannot load ${modelPath}: ${messageOf(error)}`, {
        hint: "the file is damaged or of an architecture this llama.cpp does not know: set CODER_LLAMA_MODEL to another .gguf file",
        cause: error,
      });
    }
    try {
      const context = await model.createContext({
        contextSize: Math.min(this.#options.contextSize, model.trainContextSize),
        threads: this.#threads,
      });
      const chat = new LlamaChat({ contextSequence: context.getSequence(), chatWrapper: "auto" });
      return { llama, model, context, chat, modelPath };
    } catch (error) {
      await llama.dispose();
      throw new LlmError(
        "server-error",
        `cannot allocate a ${this.#options.contextSize}-token context for ${basename(modelPath)}: ${messageOf(error)}`,
        {
          hint: "lower CODER_CONTEXT_SIZE or use a smaller model",
          cause: error,
        },
      );
    }
  }

  async #modelPath(): Promise<string> {
    const { model, modelsDir } = this.#options;
    if (/^(?:hf|huggingface):|^https?:\/\//i.test(model)) {
      try {
        return await resolveModelFile(model, { ...(modelsDir ? { directory: modelsDir } : {}), cli: false });
      } catch (error) {
        throw new LlmError("model-not-found", `cannot fetch the model ${model}: ${messageOf(error)}`, {
          hint: "download the .gguf where there is internet and set CODER_LLAMA_MODEL to its local path",
          cause: error,
        });
      }
    }
    const path = resolve(model);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) {
      throw new LlmError("model-not-found", info ? `${path} is a directory, not a model file` : `no model file at ${path}`, {
        hint: "set CODER_LLAMA_MODEL to a .gguf path (e.g. a Qwen3 or Qwen2.5-Coder GGUF), or to a model URI such as hf:<user>/<repo>:<quant> on a machine with internet",
      });
    }
    return path;
  }

  #grammar(llama: Llama, schema: Record<string, unknown>): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.#grammars.get(key);
    if (!grammar) {
      grammar = llama.createGrammarForJsonSchema<GbnfJsonSchema>(toGrammarSchema(schema)).catch((error: unknown) => {
        this.#grammars.delete(key);
        throw new LlmError("server-error", `cannot build a grammar for the response schema: ${messageOf(error)}`, {
          hint: "simplify the tool's parameter schema",
          cause: error,
        });
      });
      if (this.#grammars.size >= GRAMMAR_CACHE_LIMIT) this.#grammars.delete(this.#grammars.keys().next().value!);
      this.#grammars.set(key, grammar);
    }
    return grammar;
  }

  #embeddingContext(model: LlamaModel): Promise<{ context: LlamaEmbeddingContext; size: number }> {
    const size = Math.min(EMBEDDING_CONTEXT_LIMIT, this.#options.contextSize, model.trainContextSize);
    this.#embedding ??= model.createEmbeddingContext({ contextSize: size, threads: this.#threads }).then(
      (context) => ({ context, size }),
      (error: unknown) => {
        this.#embedding = undefined;
        throw new LlmError("server-error", `cannot create an embedding context: ${messageOf(error)}`, {
          hint: "lower CODER_CONTEXT_SIZE or use a smaller model",
          cause: error,
        });
      },
    );
    return this.#embedding;
  }

  async #generate({ model, context, chat }: Loaded, request: ChatRequest, grammar: LlamaGrammar | undefined): Promise<ChatResult> {
    const history = toChatHistory(request.messages);
    const promptTokens = chat.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer).length;
    // llama.cpp needs one free cell after the prompt; generation may use the rest and no more.
    const room = context.contextSize - promptTokens - 1;
    const overflow = (cause?: unknown): LlmError =>
      new LlmError(
        "context-overflow",
        `the conversation is ${promptTokens} tokens; the context holds ${context.contextSize} (the model was trained on ${model.trainContextSize})`,
        { hint: CONTEXT_HINT, cause },
      );
    if (room < 1) throw overflow();

    let completionTokens = 0;
    try {
      const result = await chat.generateResponse(history, {
        maxTokens: Math.min(request.maxTokens ?? room, room),
        temperature: this.#options.temperature ?? 0.2,
        ...(grammar ? { grammar } : {}),
        ...(request.signal ? { signal: request.signal, stopOnAbortSignal: true } : {}),
        onToken: (tokens) => (completionTokens += tokens.length),
        contextShift: {
          strategy: () => {
            throw new ContextShiftRefused();
          },
        },
      });
      const doneReason = result.metadata.stopReason === "maxTokens" ? "length" : result.metadata.stopReason === "abort" ? "abort" : "stop";
      const content =
        request.responseSchema && doneReason === "stop" ? dropUnsetOptionals(result.response, request.responseSchema) : result.response;
      return { message: { content, toolCalls: [] }, usage: { promptTokens, completionTokens }, doneReason };
    } catch (error) {
      if (error instanceof ContextShiftRefused) throw overflow(error);
      if (request.signal?.aborted) throw abortedError(error);
      throw new LlmError("server-error", `llama.cpp failed while generating: ${messageOf(error)}`, {
        hint: "see the log above; a smaller CODER_CONTEXT_SIZE helps when memory runs out",
        cause: error,
      });
    }
  }
}

/**
 * The agent's messages as node-llama-cpp chat history, ending with the empty model turn to fill.
 * Tool calls and results are written as Qwen/Hermes-style text, which the text-mode parser reads.
 */
export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  let toolResults: { type: "user"; text: string } | undefined;
  for (const message of messages) {
    if (message.role === "tool") {
      const result = `<tool_response>\n${message.content}\n</tool_response>`;
      // Results of one turn's calls share a user turn, as Qwen's own template renders them.
      if (toolResults) toolResults.text += `\n${result}`;
      else history.push((toolResults = { type: "user", text: result }));
      continue;
    }
    toolResults = undefined;
    if (message.role === "assistant") {
      const calls = message.toolCalls.map(
        (c) => `<tool_call>\n${JSON.stringify({ name: c.name, arguments: c.arguments ?? {} })}\n</tool_call>`,
      );
      history.push({ type: "model", response: [[message.content, ...calls].filter((part) => part !== "").join("\n")] });
    } else {
      history.push({ type: message.role, text: message.content });
    }
  }
  history.push({ type: "model", response: [] });
  return history;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortedError());
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = (): void => reject(abortedError());
    signal.addEventListener("abort", onAbort, { once: true });
    void promise.then(resolvePromise, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

async function assertGguf(path: string): Promise<void> {
  const file = await open(path, "r").catch((error: unknown) => {
    throw new LlmError("model-not-found", `cannot read ${path}: ${messageOf(error)}`, {
      hint: "make CODER_LLAMA_MODEL point to a .gguf file this process may read",
      cause: error,
    });
  });
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead === 4 && buffer.toString("latin1") === "GGUF") return;
  } finally {
    await file.close();
  }
  throw new LlmError("model-not-found", `${path} is not a GGUF file`, {
    hint: "set CODER_LLAMA_MODEL to a .gguf model file (llama.cpp's format; convert safetensors with llama.cpp's convert_hf_to_gguf.py)",
  });
}

function abortedError(cause?: unknown): LlmError {
  return new LlmError("aborted", "the model call was aborted", { hint: "", cause });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function normalize(vector: ArrayLike<number>): number[] {
  const values = Array.from(vector);
  const length = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
  return length > 0 ? values.map((v) => v / length) : values;
}
