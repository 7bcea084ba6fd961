import type { ToolSpec } from "../types.js";
import type { CallCandidate } from "./call-shapes.js";
import { describeExpectedForm } from "./describe-expected-form.js";
import { repairArguments } from "./repair-arguments.js";
import { resolveToolName } from "./resolve-tool-name.js";
import { schemaProperties } from "./tool-schema.js";

/** A call of a known tool with an arguments object, ready for `callTool`. */
export interface ParsedCall {
  /** Exactly one of the known tools' names. */
  readonly name: string;
  readonly arguments: Record<string, unknown>;
  /** What had to be repaired to read it, for logs; empty when the call was well formed. */
  readonly repairs: readonly string[];
}

export type CallResolution =
  | { readonly kind: "call"; readonly call: ParsedCall }
  /** A call was clearly meant but cannot be used; the message tells the model how to call instead. */
  | { readonly kind: "problem"; readonly message: string }
  /** Not a call after all (data that happens to have a `name`). */
  | { readonly kind: "ignored" };

/**
 * Checks a written call against the tools and repairs its arguments. `certain` says the text
 * marked it as a call (a `<tool_call>` tag, a native call): then every failure is reported.
 * Otherwise (bare JSON in prose) a failure is reported only when the object has an arguments key,
 * because `{"name": "my-app", "version": "1.0.0"}` is data, not a failed call.
 */
export function resolveCall(candidate: CallCandidate, tools: readonly ToolSpec[], certain: boolean): CallResolution {
  const attempted = certain || candidate.hasArguments;
  const resolved = resolveToolName(candidate.name, tools);
  if (!resolved.ok) return attempted ? { kind: "problem", message: resolved.message } : { kind: "ignored" };
  const tool = tools.find((t) => t.name === resolved.name) as ToolSpec;
  const repairs = resolved.repair ? [resolved.repair] : [];

  let raw: unknown = candidate.arguments;
  if (!candidate.hasArguments) {
    const restKeys = Object.keys(candidate.rest);
    if (restKeys.length > 0) {
      const properties = schemaProperties(tool);
      // Flat arguments are believed only when every key is a parameter of the tool, or the text said it was a call.
      if (!certain && !restKeys.every((k) => k in properties)) return { kind: "ignored" };
      repairs.push("read the keys beside the name as the arguments");
      raw = candidate.rest;
    }
  }
  const args = repairArguments(raw, tool);
  if (!args.ok) return { kind: "problem", message: argumentsProblem(tool, args.reason) };
  return { kind: "call", call: { name: tool.name, arguments: args.value, repairs: [...repairs, ...args.repairs] } };
}

/** The message for arguments that could not be repaired, with the form to use instead. */
export function argumentsProblem(tool: ToolSpec, reason: string): string {
  return `The call to ${tool.name} could not be used: ${reason}. Call it like this: ${describeExpectedForm(tool)}`;
}
