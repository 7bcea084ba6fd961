import { z } from "zod";
import type { CommandPolicyConfig } from "../safety/command-policy.js";
import type { PathGuard } from "../safety/path-guard.js";
import type { ToolSpec } from "../llm/types.js";
import type { CommandRunner } from "../workspace/runner.js";

export interface ToolContext {
  readonly root: string;
  readonly guard: PathGuard;
  readonly runner: CommandRunner;
  readonly signal: AbortSignal;
  readonly commandTimeoutMs: number;
  /** Which commands run_command may run; the default policy when absent. */
  readonly policy?: CommandPolicyConfig;
  /** Searches the repository's code index; absent when there is no index yet. */
  readonly codeSearch?: (
    query: string,
    k: number,
  ) => Promise<
    ReadonlyArray<{ path: string; startLine: number; endLine: number; score: number; symbols: readonly string[]; text: string }>
  >;
}

/** A tool's answer. Failures are data for the model, with a reason code and what to try next. */
export type ToolResult =
  | { readonly isError: false; readonly output: string; readonly finished?: { readonly summary: string } }
  | { readonly isError: true; readonly reason: string; readonly message: string };

export interface Tool<Params = unknown> {
  readonly name: string;
  readonly description: string;
  /** Opens workspace files from the host (not through the runner): the workspace is quiesced first. */
  readonly hostFiles?: boolean;
  readonly parameters: z.ZodType<Params>;
  execute(args: Params, context: ToolContext): Promise<ToolResult>;
}

/** Defines a tool; the one way every tool is written. */
export function defineTool<Schema extends z.ZodType>(
  name: string,
  definition: {
    description: string;
    parameters: Schema;
    hostFiles?: boolean;
    execute(args: z.output<Schema>, context: ToolContext): Promise<ToolResult>;
  },
): Tool<z.output<Schema>> {
  return { name, ...definition } as unknown as Tool<z.output<Schema>>;
}

export const ok = (output: string): ToolResult => ({ isError: false, output });
export const fail = (reason: string, message: string): ToolResult => ({ isError: true, reason, message });

/** The JSON Schema the model sees for a tool. */
export function toolSpec(tool: Tool): ToolSpec {
  const schema = z.toJSONSchema(tool.parameters, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  delete schema.$schema;
  return { name: tool.name, description: tool.description, parameters: schema };
}

export const MAX_TOOL_OUTPUT_CHARS = 24_000;

/** Keeps the head and tail of long output with a note, so the model sees both ends and knows what was cut. */
export function truncateMiddle(text: string, max = MAX_TOOL_OUTPUT_CHARS): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  const cut = text.length - 2 * half;
  return `${text.slice(0, half)}\n[… ${cut} characters cut; narrow the request (line range, path, pattern) to see them …]\n${text.slice(-half)}`;
}
