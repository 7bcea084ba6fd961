import type { ChatMessage, ToolCall, ToolSpec } from "../types.js";
import { textModeToolPrompt } from "./text-mode-prompt.js";

/**
 * The conversation as a model without native tool calling must see it: the tools described in the
 * system prompt, its own replies as it wrote them, and tool results
 * as `<tool_response>` user turns. Consecutive turns of one role are merged, because several chat
 * templates (Mistral's, Gemma's) refuse two user turns in a row.
 */
export function renderForTextMode(messages: readonly ChatMessage[], tools: readonly ToolSpec[], constrained: boolean): ChatMessage[] {
  const out: ChatMessage[] = [];
  const push = (role: "system" | "user" | "assistant", content: string) => {
    const last = out.at(-1);
    if (last && last.role === role && role !== "system") {
      out[out.length - 1] =
        role === "assistant"
          ? { role, content: `${last.content}\n\n${content}`, toolCalls: [] }
          : { role, content: `${last.content}\n\n${content}` };
    } else {
      out.push(role === "assistant" ? { role, content, toolCalls: [] } : { role, content });
    }
  };
  let toolsDescribed = false;
  for (const message of messages) {
    switch (message.role) {
      case "system":
        push("system", toolsDescribed ? message.content : `${message.content}\n\n${textModeToolPrompt(tools, constrained)}`);
        toolsDescribed = true;
        break;
      case "user":
        push("user", message.content);
        break;
      case "assistant":
        // The reply as the model wrote it, calls included; calls that came another way are written out.
        push("assistant", message.content.trim() || message.toolCalls.map((call) => writtenCall(call, constrained)).join("\n"));
        break;
      case "tool":
        push("user", `<tool_response name="${message.toolName}">\n${message.content}\n</tool_response>`);
        break;
    }
  }
  if (!toolsDescribed) out.unshift({ role: "system", content: textModeToolPrompt(tools, constrained) });
  return out;
}

/** A call that came through a native channel (before a switch to text mode), written the way the model is asked to write it. */
function writtenCall(call: ToolCall, constrained: boolean): string {
  const json = JSON.stringify({ name: call.name, arguments: call.arguments ?? {} });
  return constrained ? json : `<tool_call>\n${json}\n</tool_call>`;
}
