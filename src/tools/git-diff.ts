import { z } from "zod";
import { defineTool, fail, ok } from "./tool.js";

export const gitDiffTool = defineTool("git_diff", {
  description: "Show the diff of your changes so far against the starting commit, optionally for one path, including new files.",
  parameters: z.object({ path: z.string().optional().describe("Limit the diff to this path") }),
  async execute({ path }, { runner, signal, commandTimeoutMs, guard }) {
    const target = path ? await guard.relative(await guard.resolve(path)) : null;
    const scope = ["--", ...(target ? [target] : [])];
    const options = { timeoutMs: commandTimeoutMs, signal, maxOutputBytes: 64 * 1024 };
    const tracked = await runner.run(["git", "-c", "core.quotepath=off", "diff", "HEAD", ...scope], options);
    if (tracked.exitCode !== 0) return fail("git-failed", tracked.stderr.trim());
    // New files are shown without touching the index, which may be read-only in the workspace.
    const untracked = await runner.run(
      ["git", "-c", "core.quotepath=off", "ls-files", "--others", "--exclude-standard", ...scope],
      options,
    );
    const parts = [tracked.stdout.trimEnd()];
    for (const file of untracked.stdout.split("\n").filter(Boolean).slice(0, 50)) {
      const added = await runner.run(["git", "diff", "--no-index", "--", "/dev/null", file], options);
      parts.push(added.stdout.trimEnd());
    }
    const text = parts.filter(Boolean).join("\n");
    return ok(text || "No changes yet.");
  },
});
