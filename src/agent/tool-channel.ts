import { decodeReply, type DecodedReply, type ToolMode } from "../llm/tool-calls/decode-reply.js";
import { renderForTextMode } from "../llm/text-mode/render-text-mode.js";
import { toolCallSchema } from "../llm/text-mode/reply-schema.js";
import { textModeToolPrompt } from "../llm/text-mode/text-mode-prompt.js";
import type { TokenCounter } from "../llm/tokens/token-counter.js";
import type { ChatMessage, ChatRequest, ChatResult, ModelInfo, ToolSpec } from "../llm/types.js";

/** `auto` takes native tool calling where the model has it, text mode elsewhere. */
export type ToolModeSetting = ToolMode | "auto";

/**
 * How tools travel to the model and calls come back: through the backend's native channel, or
 * described in the prompt and read out of the text (under a JSON-schema constraint where the
 * backend can decode under one, so a call always parses). The history stays in one form; this
 * renders it for the mode in use, so the mode can change halfway when a server refuses tools.
 */
export class ToolChannel {
  #mode: ToolMode;
  readonly #specs: readonly ToolSpec[];
  readonly #constrainable: boolean;

  constructor(setting: ToolModeSetting, info: ModelInfo, specs: readonly ToolSpec[]) {
    this.#mode = setting === "auto" ? (info.nativeTools ? "native" : "text") : setting;
    this.#specs = specs;
    this.#constrainable = info.constrainedDecoding;
  }

  get mode(): ToolMode {
    return this.#mode;
  }

  /** Whether text-mode replies are decoded under the call schema. */
  get constrained(): boolean {
    return this.#mode === "text" && this.#constrainable;
  }

  /** The server refused native tools: describe them in the prompt from now on. */
  fallBackToText(): void {
    this.#mode = "text";
  }

  /** What the tools cost on every request, in the form they are sent. */
  toolTokens(counter: TokenCounter): number {
    if (this.#mode === "text") return counter.count(textModeToolPrompt(this.#specs, this.constrained));
    // Templates render each spec as JSON with some framing around it.
    return counter.count(JSON.stringify(this.#specs)) + 16 * this.#specs.length;
  }

  request(messages: readonly ChatMessage[], maxTokens: number, signal: AbortSignal): ChatRequest {
    // A copy: the loop goes on appending to its history while a provider may still hold the request.
    if (this.#mode === "native") return { messages: [...messages], tools: this.#specs, maxTokens, signal };
    return {
      messages: renderForTextMode(messages, this.#specs, this.constrained),
      tools: [],
      ...(this.constrained ? { responseSchema: toolCallSchema(this.#specs) } : {}),
      maxTokens,
      signal,
    };
  }

  decode(reply: ChatResult, step: number): DecodedReply {
    return decodeReply(reply.message, this.#specs, this.#mode, `call_${step}`);
  }
}
