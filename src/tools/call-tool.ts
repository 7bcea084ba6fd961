import { PathError } from "../safety/path-guard.js";
import { fail, truncateMiddle, type Tool, type ToolContext, type ToolResult } from "./tool.js";

/**
 * Validates the model's arguments and runs the tool. Nothing thrown here escapes: a bad argument
 * or a failing tool becomes a result the model can read and act on. `shorten` bounds the output;
 * the agent loop passes one that counts the model's tokens.
 */
export async function callTool(
  tools: ReadonlyMap<string, Tool>,
  name: string,
  rawArgs: unknown,
  context: ToolContext,
  shorten: (output: string) => string = truncateMiddle,
): Promise<ToolResult> {
  const tool = tools.get(name) ?? tools.get(name.trim().toLowerCase());
  if (!tool) {
    return fail("unknown-tool", `There is no tool named "${name}". Available tools: ${[...tools.keys()].join(", ")}.`);
  }
  const args = typeof rawArgs === "string" ? parseJsonObject(rawArgs) : (rawArgs ?? {});
  const parsed = tool.parameters.safeParse(args);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ");
    return fail(
      "invalid-arguments",
      `The arguments for ${tool.name} are invalid (${problems}). Call it again with arguments that match its schema.`,
    );
  }
  try {
    if (tool.hostFiles) await context.runner.quiesce?.();
    const result = await tool.execute(parsed.data, context);
    return result.isError ? result : { ...result, output: shorten(result.output) };
  } catch (error) {
    if (error instanceof PathError) return fail(error.reason, error.message);
    if (context.signal.aborted) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return fail("not-found", `No such file or directory. Use list_files or find_files to see what exists.`);
    if (code === "EISDIR") return fail("is-directory", `That path is a directory. Use list_files to see its contents.`);
    return fail("tool-error", `${tool.name} failed: ${(error as Error).message}`);
  }
}

function parseJsonObject(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
