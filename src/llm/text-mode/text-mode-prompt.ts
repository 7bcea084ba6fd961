import type { ToolSpec } from "../types.js";
import { describeExpectedForm } from "../tool-calls/describe-expected-form.js";

/**
 * The part of the system prompt that teaches a model without native tool calling how to call
 * tools. Small models copy examples far more reliably than they follow a schema, so each tool gets
 * a worked call beside its schema, and the reply format is shown once more at the end.
 */
export function textModeToolPrompt(tools: readonly ToolSpec[], constrained: boolean): string {
  const lines = ["# Tools", "", "You can call these tools. Each is shown with its JSON Schema and an example call.", ""];
  for (const tool of tools) {
    lines.push(
      `## ${tool.name}`,
      tool.description,
      `Parameters: ${JSON.stringify(tool.parameters)}`,
      `Example: ${describeExpectedForm(tool)}`,
      "",
    );
  }
  lines.push("# How to call a tool", "");
  if (constrained) {
    lines.push(
      "Every reply is exactly one tool call as a JSON object, and nothing else:",
      '{"name": "<tool name>", "arguments": {<arguments>}}',
      "",
      "For example:",
      '{"name": "read_file", "arguments": {"path": "src/index.ts"}}',
    );
  } else {
    lines.push(
      "Write one tool call per reply, inside <tool_call></tool_call> tags, as a JSON object with the tool's name and arguments:",
      "<tool_call>",
      '{"name": "<tool name>", "arguments": {<arguments>}}',
      "</tool_call>",
      "",
      "For example, to read a file:",
      "<tool_call>",
      '{"name": "read_file", "arguments": {"path": "src/index.ts"}}',
      "</tool_call>",
      "",
      "You may think briefly before the call. Do not write the result yourself: stop after </tool_call>.",
    );
  }
  lines.push("The result of each call comes back in a <tool_response> message. When you are done, call finish.");
  return lines.join("\n");
}
