import { z } from "zod";
import { defineTool, fail, ok } from "./tool.js";

export const gitStatusTool = defineTool("git_status", {
  description: "Show which files you have changed, added or deleted so far (git status).",
  parameters: z.object({}),
  async execute(_args, { runner, signal, commandTimeoutMs }) {
    const result = await runner.run(["git", "-c", "core.quotepath=off", "status", "--short", "--untracked-files=all"], {
      timeoutMs: commandTimeoutMs,
      signal,
    });
    if (result.exitCode !== 0) return fail("git-failed", result.stderr.trim());
    return ok(result.stdout.trimEnd() || "No changes yet.");
  },
});
