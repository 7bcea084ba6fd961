import { z } from "zod";
import { defineTool, ok } from "./tool.js";

export const runCommandTool = defineTool("run_command", {
  description: "Run a shell command in the repository root (tests, builds, linters). The network may be unavailable. Returns the exit code and output (long output is cut in the middle).",
  parameters: z.object({
    command: z.string().min(1).describe("The command line, e.g. npm test"),
    timeout_seconds: z.number().int().positive().max(3600).optional(),
  }),
  async execute({ command, timeout_seconds }, { runner, signal, commandTimeoutMs }) {
    const timeoutMs = Math.min(commandTimeoutMs, (timeout_seconds ?? Infinity) * 1000);
    const result = await runner.run({ shell: command }, { timeoutMs, signal, maxOutputBytes: 32 * 1024 });
    const status = result.timedOut ? `timed out after ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`} and was killed` : `exit code ${result.exitCode}`;
    const parts = [`$ ${command}`, `[${status}]`];
    if (result.stdout.trim()) parts.push(`stdout:\n${result.stdout.trimEnd()}`);
    if (result.stderr.trim()) parts.push(`stderr:\n${result.stderr.trimEnd()}`);
    return ok(parts.join("\n"));
  },
});
