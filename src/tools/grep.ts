import { z } from "zod";
import { defineTool, fail, ok } from "./tool.js";

export const grepTool = defineTool("grep", {
  description: "Search file contents with a regular expression (ripgrep syntax). Returns path:line:text matches, respecting .gitignore.",
  parameters: z.object({
    pattern: z.string().min(1).describe("Regular expression"),
    path: z.string().default(".").describe("File or directory to search, relative to the repository root"),
    glob: z.string().optional().describe("Only search files matching this glob, e.g. *.py"),
    ignore_case: z.boolean().default(false),
  }),
  async execute({ pattern, path, glob, ignore_case }, { runner, signal, commandTimeoutMs, guard }) {
    // Search what the guard resolved, relative to the root, so the runner sees the same file.
    const target = await guard.relative(await guard.resolve(path));
    const argv = [
      "rg",
      "--line-number",
      "--no-heading",
      "--color",
      "never",
      "--hidden",
      "--glob",
      "!.git",
      "--max-columns",
      "300",
      "--max-count",
      "50",
    ];
    if (ignore_case) argv.push("--ignore-case");
    if (glob) argv.push("--glob", glob);
    argv.push("--regexp", pattern, "--", target);
    const result = await runner.run(argv, { timeoutMs: commandTimeoutMs, signal, maxOutputBytes: 64 * 1024 });
    if (result.exitCode === 1) return fail("no-match", `No matches for /${pattern}/ in ${target === "." ? "the repository" : target}.`);
    if (result.exitCode !== 0)
      return fail(
        "search-failed",
        `grep failed: ${result.stderr.trim()} (the pattern is a Rust regular expression; escape special characters)`,
      );
    return ok(result.stdout.trimEnd());
  },
});
