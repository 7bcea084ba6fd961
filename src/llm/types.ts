/** Provider-neutral chat types: the agent never sees a provider's own shapes. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  /** Parsed arguments as the model produced them; tools validate them. */
  readonly arguments: unknown;
  /**
   * Set when the call was meant but cannot be used (an unknown tool, arguments beyond repair):
   * the message goes back to the model as this call's result, with the form to use instead.
   */
  readonly invalid?: string;
}

export type ChatMessage =
  | { readonly role: "system" | "user"; readonly content: string }
  | { readonly role: "assistant"; readonly content: string; readonly toolCalls: readonly ToolCall[] }
  | { readonly role: "tool"; readonly toolCallId: string; readonly toolName: string; readonly content: string };

export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: Record<string, unknown>;
}

export interface ChatUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface ChatResult {
  readonly message: { readonly content: string; readonly toolCalls: readonly ToolCall[] };
  readonly usage: ChatUsage;
  /** Why generation ended as the backend reports it ("stop", "length", "tool_calls", …). */
  readonly doneReason: string;
}

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  /** Tools offered through the backend's native tool-calling channel; empty in text mode. */
  readonly tools: readonly ToolSpec[];
  /**
   * A JSON Schema the whole reply must match. Sent only to backends that said they can constrain
   * decoding (Ollama's `format`, llama.cpp grammars, `response_format` json_schema), so a
   * text-mode call always parses.
   */
  readonly responseSchema?: Record<string, unknown>;
  /** Most tokens to generate for this reply. */
  readonly maxTokens?: number;
  readonly signal?: AbortSignal;
}

/** What a provider learned about its model before the first chat. */
export interface ModelInfo {
  /** Tokens of context sent with every request (Ollama's num_ctx, llama.cpp's n_ctx, a server's window). */
  readonly contextSize: number;
  /** Whether the model takes tools through the backend's native tool-calling channel. */
  readonly nativeTools: boolean;
  /** Whether the backend honours `ChatRequest.responseSchema`. */
  readonly constrainedDecoding: boolean;
}

export interface LlmProvider {
  /** A short label for logs and reports, e.g. `ollama:qwen2.5-coder:7b`. */
  readonly label: string;
  /**
   * Checks that the model is there and reads what it can do. Throws an `LlmError` whose hint says
   * what to do (`ollama pull <model>`, start the server, fix the GGUF path).
   */
  describe(signal?: AbortSignal): Promise<ModelInfo>;
  chat(request: ChatRequest): Promise<ChatResult>;
  /** Exact token count with the model's own tokenizer, where the backend has one in process. */
  countTokens?(text: string): number;
  /** Releases what the provider holds (an embedded model's memory). */
  close?(): Promise<void>;
}

/** Turns texts into vectors (for the code index); a provider may implement it beside chat. */
export interface Embedder {
  readonly label: string;
  /**
   * The length of its vectors when known without embedding anything: a fixed model's, or what an
   * earlier call returned. The indexer needs it before every run; when it is missing, one text is
   * embedded to learn it.
   */
  readonly dimensions?: number | undefined;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}
