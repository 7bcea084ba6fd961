/** Provider-neutral chat types: the agent never sees a provider's own shapes. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  /** Parsed arguments as the model produced them; tools validate them. */
  readonly arguments: unknown;
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
  /** Why generation ended as the backend reports it ("stop", "length", …). */
  readonly doneReason: string;
}

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  readonly tools: readonly ToolSpec[];
  readonly signal?: AbortSignal;
}

export interface LlmProvider {
  /** A short label for logs and reports, e.g. `ollama:qwen2.5-coder:7b`. */
  readonly label: string;
  chat(request: ChatRequest): Promise<ChatResult>;
}
