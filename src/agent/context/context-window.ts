import type { ChatMessage } from "../../llm/types.js";
import type { TokenCounter } from "../../llm/tokens/token-counter.js";
import { truncateToTokens } from "./truncate-output.js";
import { describeCalls, type Summarizer } from "./summarize-turns.js";

export interface ContextWindowOptions {
  /** The model's window in tokens, as sent to the backend. */
  readonly contextSize: number;
  readonly counter: TokenCounter;
  /** Tokens kept free for the reply (the request's max tokens). */
  readonly replyTokens: number;
  /** The latest turns kept whole, whatever they cost. */
  readonly keepTurns?: number;
}

export interface FitReport {
  /** Tokens of what will be sent, by this window's count. */
  readonly tokens: number;
  /** What was done to fit, in words, for the trajectory. */
  readonly events: string[];
}

/** The conversation does not fit even with everything old removed. */
export class ContextOverflowError extends Error {
  readonly reason = "context-overflow";
  constructor(
    readonly needed: number,
    readonly available: number,
  ) {
    super(`the system prompt, the task and the latest step need ${needed} tokens, more than the ${available} the context window leaves`);
    this.name = "ContextOverflowError";
  }
}

/** Chat templates wrap every message in role markers; counted generously. */
const MESSAGE_OVERHEAD = 12;
/** After compacting, the history is brought this far under the budget, so the next steps append instead of compacting again (and a server's prompt cache keeps its prefix). */
const LOW_WATER = 0.7;

/**
 * Keeps a conversation inside the model's context window. Messages are counted once each. When the
 * history outgrows the budget, old tool outputs are masked first (they are the bulk and can be
 * fetched again), then the older turns are summarized by the model, and as a last resort the
 * largest messages of the latest turns are cut in the middle. The system prompt, the task and the
 * latest turns are kept whole as long as anything else can give way.
 */
export class ContextWindow {
  readonly #options: Required<ContextWindowOptions>;
  readonly #counts = new WeakMap<ChatMessage, number>();
  #toolTokens = 0;
  /** Set when the server refused a request this window thought fit (a tokenizer that counts more than ours). */
  #cap = Number.POSITIVE_INFINITY;

  constructor(options: ContextWindowOptions) {
    this.#options = { keepTurns: 3, ...options };
  }

  /** Tokens the tool definitions cost on every request (native specs, or the text-mode prompt). */
  setToolTokens(tokens: number): void {
    this.#toolTokens = tokens;
  }

  /** Most tokens a request may carry, leaving room for the reply. */
  get budget(): number {
    return Math.min(this.#options.contextSize - this.#options.replyTokens, this.#cap);
  }

  /** The server refused a request of `refused` tokens by our count: from now on keep a fifth below it. */
  tighten(refused: number): void {
    this.#cap = Math.floor(Math.min(this.#cap, refused) * 0.8);
  }

  get counter(): TokenCounter {
    return this.#options.counter;
  }

  count(message: ChatMessage): number {
    let tokens = this.#counts.get(message);
    if (tokens === undefined) {
      const { counter } = this.#options;
      tokens = MESSAGE_OVERHEAD + counter.count(message.content);
      // Templates write a call back as tagged JSON (Qwen, Hermes) or an equivalent structure.
      if (message.role === "assistant")
        for (const call of message.toolCalls)
          tokens +=
            MESSAGE_OVERHEAD +
            counter.count(`<tool_call>\n${JSON.stringify({ name: call.name, arguments: call.arguments ?? {} })}\n</tool_call>`);
      this.#counts.set(message, tokens);
    }
    return tokens;
  }

  measure(messages: readonly ChatMessage[]): number {
    let total = this.#toolTokens;
    for (const message of messages) total += this.count(message);
    return total;
  }

  /**
   * Compacts `messages` in place until they fit. `messages[0]` is the system prompt and
   * `messages[1]` the task; the rest are turns, each an assistant message with what answers it.
   */
  async fit(messages: ChatMessage[], summarize: Summarizer): Promise<FitReport> {
    const events: string[] = [];
    let tokens = this.measure(messages);
    if (tokens <= this.budget) return { tokens, events };
    const target = Math.floor(this.budget * LOW_WATER);

    const masked = this.#maskOldOutputs(messages, tokens - target);
    if (masked.count > 0) {
      tokens = this.measure(messages);
      events.push(`masked ${masked.count} old tool outputs (${masked.saved} tokens)`);
    }
    if (tokens > this.budget) {
      const summarized = await this.#summarizeOlderTurns(messages, summarize);
      if (summarized) {
        tokens = this.measure(messages);
        events.push(summarized);
      }
    }
    if (tokens > this.budget) {
      const cut = this.#cutLatest(messages, tokens - this.budget);
      tokens = this.measure(messages);
      if (cut > 0) events.push(`cut ${cut} large messages of the latest turns in the middle`);
    }
    if (tokens > this.budget) throw new ContextOverflowError(tokens + this.#options.replyTokens, this.#options.contextSize);
    return { tokens, events };
  }

  /** Index of the first message of each turn after the task. */
  #turnStarts(messages: readonly ChatMessage[]): number[] {
    const starts: number[] = [];
    for (let i = 2; i < messages.length; i++) {
      if ((messages[i] as ChatMessage).role === "assistant") starts.push(i);
    }
    return starts;
  }

  /** Index where the protected latest turns begin. */
  #recentStart(messages: readonly ChatMessage[]): number {
    const starts = this.#turnStarts(messages);
    return starts.length > this.#options.keepTurns ? (starts.at(-this.#options.keepTurns) as number) : (starts[0] ?? messages.length);
  }

  #maskOldOutputs(messages: ChatMessage[], wanted: number): { count: number; saved: number } {
    const end = this.#recentStart(messages);
    let saved = 0;
    let count = 0;
    for (let i = 2; i < end && saved < wanted; i++) {
      const message = messages[i] as ChatMessage;
      if (message.role !== "tool" || message.content.startsWith(MASK_PREFIX)) continue;
      const before = this.count(message);
      const replacement: ChatMessage = {
        ...message,
        content: `${MASK_PREFIX} ${message.toolName} (${before} tokens) was removed to save context; call the tool again if you still need it]`,
      };
      const after = this.count(replacement);
      if (after >= before) continue;
      messages[i] = replacement;
      saved += before - after;
      count++;
    }
    return { count, saved };
  }

  async #summarizeOlderTurns(messages: ChatMessage[], summarize: Summarizer): Promise<string | null> {
    const end = this.#recentStart(messages);
    if (end <= 2) return null;
    const older = messages.slice(2, end);
    const fixed = this.measure([...messages.slice(0, 2), ...messages.slice(end)]);
    // The summary gets what the protected part leaves, down to the low-water mark, within reason.
    const room = Math.floor(this.budget * LOW_WATER) - fixed;
    const maxTokens = Math.max(128, Math.min(1024, room));
    let text: string | null;
    let how = "summarized";
    try {
      text = await summarize(older, maxTokens);
    } catch {
      text = null;
    }
    if (!text?.trim()) {
      text = describeCalls(older);
      how = "listed (the model's summary failed)";
    }
    text = truncateToTokens(text.trim(), maxTokens, this.#options.counter);
    const summary: ChatMessage = {
      role: "user",
      content: `Summary of the earlier steps (their messages were removed to fit the context window):\n\n${text}`,
    };
    messages.splice(2, end - 2, summary);
    return `${how} ${older.length} older messages`;
  }

  /** Cuts the largest messages after the task, largest first, until `excess` tokens are gone. */
  #cutLatest(messages: ChatMessage[], excess: number): number {
    const candidates = messages
      .map((message, index) => ({ message, index }))
      .filter(({ index, message }) => index >= 2 && (message.role === "tool" || message.role === "user"))
      .sort((a, b) => this.count(b.message) - this.count(a.message));
    let remaining = excess;
    let cut = 0;
    for (const { message, index } of candidates) {
      if (remaining <= 0) break;
      const before = this.count(message);
      const keep = Math.max(64, before - remaining - MESSAGE_OVERHEAD);
      if (keep >= before - MESSAGE_OVERHEAD) continue;
      const replacement = { ...message, content: truncateToTokens(message.content, keep, this.#options.counter) } as ChatMessage;
      messages[index] = replacement;
      remaining -= before - this.count(replacement);
      cut++;
    }
    return cut;
  }
}

const MASK_PREFIX = "[the output of";
