import type { ToolCall, ToolSpec } from "../types.js";
import { normalizeNativeCalls } from "./normalize-native-calls.js";
import { parseToolCallsFromText } from "./parse-text-tool-calls.js";

/** How tools reach the model: its backend's native channel, or described in the prompt and written as text. */
export type ToolMode = "native" | "text";

export interface DecodedReply {
  /** Usable calls, and calls that were meant but cannot be used (`invalid` set), in the order written. */
  readonly toolCalls: ToolCall[];
  /** What was repaired to read the calls, for the trajectory. */
  readonly repairs: string[];
}

/** The name given to a call that could not even be read far enough to know its tool. */
export const UNREADABLE_CALL = "unreadable_call";

/**
 * Reads the calls out of a model's reply, repairing before refusing. Native calls are normalized
 * (string arguments, lenient JSON, wrong case); a native-mode reply with no native calls is still
 * read as text, because small models served with tools often write the call into the content
 * instead. Whatever was meant as a call but cannot be used comes back as an invalid call whose
 * message shows the expected form, so the model gets an answer for it.
 */
export function decodeReply(
  message: { readonly content: string; readonly toolCalls: readonly ToolCall[] },
  tools: readonly ToolSpec[],
  mode: ToolMode,
  idPrefix: string,
): DecodedReply {
  if (mode === "native" && message.toolCalls.length > 0) {
    const normalized = normalizeNativeCalls(message.toolCalls, tools);
    const usable = new Map(normalized.calls.map((c) => [c.id, c]));
    const rejected = new Map(normalized.rejected.map((r) => [r.id, r]));
    const toolCalls = message.toolCalls.map((original): ToolCall => {
      const call = usable.get(original.id);
      if (call) return call;
      return {
        id: original.id,
        name: original.name,
        arguments: original.arguments,
        invalid: rejected.get(original.id)?.message ?? `The call to "${original.name}" could not be read.`,
      };
    });
    const repairs = [...normalized.repairs.entries()].flatMap(([id, list]) => list.map((r) => `${id}: ${r}`));
    return { toolCalls, repairs };
  }
  const parsed = parseToolCallsFromText(message.content, tools);
  const toolCalls: ToolCall[] = parsed.calls.map((call, i) => ({ id: `${idPrefix}_${i}`, name: call.name, arguments: call.arguments }));
  parsed.problems.forEach((problem, i) =>
    toolCalls.push({ id: `${idPrefix}_p${i}`, name: UNREADABLE_CALL, arguments: {}, invalid: problem }),
  );
  const repairs = parsed.calls.flatMap((call) => call.repairs.map((r) => `${call.name}: ${r}`));
  if (mode === "native" && toolCalls.length > 0)
    repairs.unshift("read the calls from the reply's text: the model wrote them there instead of using native tool calls");
  return { toolCalls, repairs };
}
