import { z } from "zod";
import { defineTool, fail, ok } from "./tool.js";

export const gitDiffTool = defineTool("git_diff", {
  description: "Show the diff of your changes so far against the starting commit, optionally for one path. New files appear once you have written them.",
  parameters: z.object({ path: z.string().optional().describe("Limit the diff to this path") }),
  async execute({ path }, { runner, signal, commandTimeoutMs, guard }) {
    const target = path ? await guard.relative(await guard.resolve(path)) : null;
    // intent-to-add makes new files show in the diff without staging their content.
    await runner.run(["git", "add", "--intent-to-add", "--all"], { timeoutMs: commandTimeoutMs, signal });
    const result = await runner.run(["git", "-c", "core.quotepath=off", "diff", "HEAD", "--", ...(target ? [target] : [])], { timeoutMs: commandTimeoutMs, signal, maxOutputBytes: 64 * 1024 });
    if (result.exitCode !== 0) return fail("git-failed", result.stderr.trim());
    return ok(result.stdout.trim() || "No changes yet.");
  },
});
