import type { ToolCall, ToolSpec } from "../types.js";
import { resolveCall } from "./resolve-call.js";

export { describeExpectedForm } from "./describe-expected-form.js";

/** A native call that could not be repaired; `message` goes back to the model as that call's result. */
export interface RejectedCall {
  readonly id: string;
  readonly name: string;
  readonly message: string;
}

export interface NativeCalls {
  /** The usable calls, with their ids, a known tool's exact name and an arguments object. */
  readonly calls: ToolCall[];
  readonly rejected: RejectedCall[];
  /** What was repaired, by call id, for logs. */
  readonly repairs: ReadonlyMap<string, readonly string[]>;
}

/**
 * The repair of text-mode calls applied to calls that came through the backend's native
 * tool-calling channel: arguments that arrived as a JSON string (Ollama's OpenAI-compatible
 * endpoint, double-encoding proxies), lenient JSON inside that string, wrapped arguments, and tool
 * names in the wrong case or with other separators. Each call keeps its id, so a rejected one can
 * still be answered with its message.
 */
export function normalizeNativeCalls(calls: readonly ToolCall[], tools: readonly ToolSpec[]): NativeCalls {
  const usable: ToolCall[] = [];
  const rejected: RejectedCall[] = [];
  const repairs = new Map<string, readonly string[]>();
  for (const call of calls) {
    const resolution = resolveCall({ name: call.name, arguments: call.arguments, hasArguments: true, rest: {} }, tools, true);
    if (resolution.kind === "call") {
      usable.push({ id: call.id, name: resolution.call.name, arguments: resolution.call.arguments });
      if (resolution.call.repairs.length > 0) repairs.set(call.id, resolution.call.repairs);
    } else {
      // A native call is always meant as a call, so "ignored" cannot happen; treat it as refused if it did.
      const message = resolution.kind === "problem" ? resolution.message : `The call to "${call.name}" could not be read.`;
      rejected.push({ id: call.id, name: call.name, message });
    }
  }
  return { calls: usable, rejected, repairs };
}
