import { randomBytes } from "node:crypto";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { ChatResult, ToolCall } from "./types.js";

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
}

type ToolCallDelta = NonNullable<ChatCompletionChunk.Choice.Delta["tool_calls"]>[number];

/**
 * Joins the chunks of a streamed chat completion into one reply. Tool calls arrive as fragments
 * keyed by `index`: the first fragment of a call carries its `id` and `function.name`, the
 * following ones pieces of `function.arguments` to concatenate. Servers bend this in known ways,
 * handled here:
 * - a second call sent under `index` 0 again with a new `id` (seen from vLLM, lmdeploy#3412, and
 *   Ollama's OpenAI endpoint, ollama#16212) starts a new call instead of being glued to the first;
 * - a name repeated on every fragment (llama.cpp before #13800) is not doubled;
 * - `reasoning_content` / `reasoning` deltas (vLLM, llama.cpp) are thinking, not content.
 *
 * @example
 * const reply = new ChatCompletionAccumulator();
 * for await (const chunk of stream) reply.add(chunk);
 * reply.result(); // { message: { content, toolCalls }, usage, doneReason }
 */
export class ChatCompletionAccumulator {
  #content = "";
  readonly #calls: PartialCall[] = [];
  readonly #byIndex = new Map<number, PartialCall>();
  #finishReason: string | undefined;
  #usage = { promptTokens: 0, completionTokens: 0 };

  /** Whether a chunk said why generation ended; a stream cut short never does. */
  get finished(): boolean {
    return this.#finishReason !== undefined;
  }

  add(chunk: ChatCompletionChunk): void {
    if (chunk.usage) this.#usage = { promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 };
    for (const choice of chunk.choices ?? []) {
      if ((choice.index ?? 0) !== 0) continue;
      this.#content += typeof choice.delta?.content === "string" ? choice.delta.content : "";
      (choice.delta?.tool_calls ?? []).forEach((delta, position) => this.#addToolCall(delta, position));
      if (choice.finish_reason) this.#finishReason = choice.finish_reason;
    }
  }

  #addToolCall(delta: ToolCallDelta, position: number): void {
    const index = typeof delta.index === "number" ? delta.index : position;
    const id = typeof delta.id === "string" && delta.id !== "" ? delta.id : undefined;
    let call = this.#byIndex.get(index);
    if (call && id && call.id !== "" && call.id !== id && call.arguments !== "") call = undefined;
    if (!call) {
      call = { id: "", name: "", arguments: "" };
      this.#calls.push(call);
      this.#byIndex.set(index, call);
    }
    if (id) call.id = id;
    const name = delta.function?.name;
    if (typeof name === "string" && name !== "") call.name = name.startsWith(call.name) ? name : call.name + name;
    const args: unknown = delta.function?.arguments;
    if (typeof args === "string") call.arguments += args;
    else if (args !== undefined && args !== null) call.arguments += JSON.stringify(args);
  }

  result(): ChatResult {
    const toolCalls: ToolCall[] = this.#calls.map((call) => ({
      id: call.id || `call_${randomBytes(4).toString("hex")}`,
      name: call.name,
      arguments: parseArguments(call.arguments),
    }));
    return { message: { content: this.#content, toolCalls }, usage: this.#usage, doneReason: this.#finishReason ?? "stop" };
  }
}

/** The parsed object when the text is a JSON object; otherwise the text itself, for the loop to repair. */
function parseArguments(text: string): unknown {
  if (text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : text;
  } catch {
    return text;
  }
}
