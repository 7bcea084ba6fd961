import { z } from "zod";
import { defineTool, fail, ok } from "./tool.js";

const LIMIT = 300;

export const findFilesTool = defineTool("find_files", {
  description: "Find files by glob pattern (e.g. **/*.test.ts, src/**/user*), respecting .gitignore.",
  parameters: z.object({ pattern: z.string().min(1).describe("Glob pattern relative to the repository root") }),
  async execute({ pattern }, { runner, signal, commandTimeoutMs }) {
    const result = await runner.run(["rg", "--files", "--hidden", "--glob", "!.git", "--glob", pattern, "--sort", "path"], {
      timeoutMs: commandTimeoutMs,
      signal,
      maxOutputBytes: 256 * 1024,
    });
    if (result.exitCode === 1 || (result.exitCode === 0 && result.stdout.trim() === ""))
      return fail("no-match", `No files match ${pattern}. Try a broader pattern such as **/*name*.`);
    if (result.exitCode !== 0) return fail("search-failed", `find_files failed: ${result.stderr.trim()}`);
    const files = result.stdout.trim().split("\n");
    const shown = files.slice(0, LIMIT).join("\n");
    return ok(files.length > LIMIT ? `${shown}\n[${files.length - LIMIT} more; use a narrower pattern]` : shown);
  },
});
