import { readdir } from "node:fs/promises";
import { z } from "zod";
import { defineTool, fail, ok } from "./tool.js";

const LIMIT = 500;

export const listFilesTool = defineTool("list_files", {
  description: "List the entries of a directory of the repository (directories end with /).",
  hostFiles: true,
  parameters: z.object({ path: z.string().default(".").describe("Directory relative to the repository root") }),
  async execute({ path: relative }, { guard }) {
    const dir = await guard.resolve(relative);
    const entries = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.name !== ".git")
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
      .sort();
    if (entries.length === 0) return fail("empty", `${relative} is empty.`);
    const shown = entries.slice(0, LIMIT).join("\n");
    return ok(entries.length > LIMIT ? `${shown}\n[${entries.length - LIMIT} more entries; use find_files with a pattern]` : shown);
  },
});
