import { z } from "zod";
import { checkCommand } from "../safety/command-policy.js";
import { defineTool, fail, ok } from "./tool.js";

export const runCommandTool = defineTool("run_command", {
  description:
    "Run a program in the repository root (tests, builds, linters), e.g. `npm test` or `pytest -x tests/test_api.py`. One program per call; git is read-only; there is no network. Returns the exit code and output (long output is cut in the middle).",
  parameters: z.object({
    command: z.string().min(1).describe("The command line, e.g. npm test"),
    timeout_seconds: z.number().int().positive().max(3600).optional(),
  }),
  async execute({ command, timeout_seconds }, { runner, signal, commandTimeoutMs, policy }) {
    const decision = checkCommand(command, policy ?? { allowShell: false, extraPrograms: [] });
    if (!decision.allowed) return fail("command-not-allowed", decision.message);
    const timeoutMs = Math.min(commandTimeoutMs, (timeout_seconds ?? Infinity) * 1000);
    const result = await runner.run("argv" in decision ? decision.argv : { shell: decision.shell }, {
      timeoutMs,
      signal,
      maxOutputBytes: 32 * 1024,
    });
    const status = result.timedOut
      ? `timed out after ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`} and was killed`
      : result.exitCode === 137
        ? "exit code 137: killed, most likely for using more memory than the workspace allows"
        : `exit code ${result.exitCode}`;
    const parts = [`$ ${command}`, `[${status}]`];
    if (result.stdout.trim()) parts.push(`stdout:\n${result.stdout.trimEnd()}`);
    if (result.stderr.trim()) parts.push(`stderr:\n${result.stderr.trimEnd()}`);
    return ok(parts.join("\n"));
  },
});
