import type { ChatMessage, ChatUsage, LlmProvider } from "../../llm/types.js";
import type { TokenCounter } from "../../llm/tokens/token-counter.js";
import { truncateToTokens } from "./truncate-output.js";

/** Asks for a summary of older turns within `maxTokens`; null when none could be had. */
export type Summarizer = (older: readonly ChatMessage[], maxTokens: number) => Promise<string | null>;

const SUMMARY_SYSTEM = [
  "You condense the earlier part of a coding agent's work so it can continue without the full history.",
  "Write a short list: what was looked at and learned (files, functions, facts), what was changed and where,",
  "what was tried and failed, and what remains to do. Keep file paths, names and error messages exact.",
  "Write plain text, no tool calls.",
].join(" ");

/** A summarizer that asks the model itself, with the older turns as a transcript that fits its window. */
export function modelSummarizer(
  provider: LlmProvider,
  counter: TokenCounter,
  contextSize: number,
  signal: AbortSignal,
  onUsage: (usage: ChatUsage) => void,
): Summarizer {
  return async (older, maxTokens) => {
    const room = contextSize - maxTokens - counter.count(SUMMARY_SYSTEM) - 64;
    const transcript = truncateToTokens(renderTranscript(older), Math.max(256, room), counter);
    const reply = await provider.chat({
      messages: [
        { role: "system", content: SUMMARY_SYSTEM },
        { role: "user", content: `The earlier steps:\n\n${transcript}\n\nSummarize them.` },
      ],
      tools: [],
      maxTokens,
      signal,
    });
    onUsage(reply.usage);
    return reply.message.content.replace(/<think>[\s\S]*?<\/think>/g, "").trim() || null;
  };
}

function renderTranscript(messages: readonly ChatMessage[]): string {
  return messages
    .map((message) => {
      switch (message.role) {
        case "assistant":
          return [
            `Agent: ${message.content.trim()}`,
            ...message.toolCalls.map((c) => `Agent called ${c.name} ${JSON.stringify(c.arguments ?? {})}`),
          ].join("\n");
        case "tool":
          return `Result of ${message.toolName}:\n${message.content}`;
        default:
          return `${message.role === "system" ? "System" : "User"}: ${message.content}`;
      }
    })
    .join("\n\n");
}

/** A summary without the model: the calls that were made, for when the model cannot summarize. */
export function describeCalls(messages: readonly ChatMessage[]): string {
  const lines: string[] = [];
  for (const message of messages) {
    if (message.role === "assistant")
      for (const call of message.toolCalls) lines.push(`- called ${call.name} ${JSON.stringify(call.arguments ?? {}).slice(0, 200)}`);
    else if (message.role === "user" && message.content.startsWith("Summary of the earlier steps")) lines.push(message.content);
  }
  return lines.length > 0 ? lines.join("\n") : "(no tool calls)";
}
