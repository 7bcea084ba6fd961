import { expect } from "vitest";
import { LlmError } from "../../src/llm/llm-error.js";
import type { ChatMessage, ToolSpec } from "../../src/llm/types.js";

/** Shared inputs and checks of the provider tests. */
export const readFileSpec: ToolSpec = {
  name: "read_file",
  description: "Read a file",
  parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
};

export const conversation: ChatMessage[] = [
  { role: "system", content: "You are a careful engineer." },
  { role: "user", content: "Fix the typo." },
];

/** The LlmError a call fails with; fails the test if the call succeeds or throws something else. */
export async function llmError(promise: Promise<unknown>): Promise<LlmError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}
