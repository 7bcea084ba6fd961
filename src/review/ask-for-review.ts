import { LlmError } from "../llm/llm-error.js";
import type { ChatMessage, ChatUsage, LlmProvider } from "../llm/types.js";
import { categories, severities, type Finding } from "./findings.js";
import { parseReview } from "./parse-findings.js";

export interface ModelReview {
  readonly summary: string;
  readonly findings: Finding[];
  /** Findings the model wrote that could not be used, with why. */
  readonly dropped: string[];
  /** Set when no attempt gave a readable review. */
  readonly unreadable: string | null;
  readonly usage: ChatUsage;
}

/** The JSON Schema of a review, for backends that can hold a reply to one. */
export const reviewSchema: Record<string, unknown> = {
  type: "object",
  properties: {
    summary: { type: "string" },
    findings: {
      type: "array",
      items: {
        type: "object",
        properties: {
          path: { type: "string" },
          line: { type: "integer" },
          startLine: { type: "integer" },
          side: { type: "string", enum: ["RIGHT", "LEFT"] },
          severity: { type: "string", enum: [...severities] },
          category: { type: "string", enum: [...categories] },
          title: { type: "string" },
          body: { type: "string" },
          replacement: { type: "string" },
        },
        required: ["path", "line", "severity", "category", "title", "body"],
      },
    },
  },
  required: ["summary", "findings"],
};

/**
 * Asks the model for a review and reads it, asking once more with the problem spelled out when the
 * reply cannot be read. Decoding is held to the review's schema where the backend can do that.
 */
export async function askForReview(
  provider: LlmProvider,
  system: string,
  task: string,
  options: { readonly maxTokens: number; readonly signal: AbortSignal; readonly attempts?: number },
): Promise<ModelReview> {
  const info = await provider.describe(options.signal);
  const messages: ChatMessage[] = [
    { role: "system", content: system },
    { role: "user", content: task },
  ];
  let promptTokens = 0;
  let completionTokens = 0;
  let problem = "no reply";
  for (let attempt = 0; attempt < (options.attempts ?? 2); attempt++) {
    const reply = await provider.chat({
      messages,
      tools: [],
      maxTokens: options.maxTokens,
      signal: options.signal,
      ...(info.constrainedDecoding ? { responseSchema: reviewSchema } : {}),
    });
    promptTokens += reply.usage.promptTokens;
    completionTokens += reply.usage.completionTokens;
    const parsed = parseReview(reply.message.content);
    if (parsed.ok)
      return {
        summary: parsed.summary,
        findings: parsed.findings,
        dropped: parsed.dropped,
        unreadable: null,
        usage: { promptTokens, completionTokens },
      };
    problem = parsed.message;
    messages.push({ role: "assistant", content: reply.message.content, toolCalls: [] }, { role: "user", content: parsed.message });
  }
  if (options.signal.aborted) throw new LlmError("aborted", "the review was cancelled", { hint: "" });
  return { summary: "", findings: [], dropped: [], unreadable: problem, usage: { promptTokens, completionTokens } };
}
