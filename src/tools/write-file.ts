import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { handOver } from "./hand-over.js";
import { defineTool, ok } from "./tool.js";

export const writeFileTool = defineTool("write_file", {
  description: "Create a file or replace its whole content. Prefer edit_file for changing part of an existing file.",
  hostFiles: true,
  parameters: z.object({
    path: z.string().min(1).describe("Path relative to the repository root"),
    content: z.string().describe("The complete new content of the file"),
  }),
  async execute({ path: relative, content }, context) {
    const file = await context.guard.resolve(relative, { write: true });
    const created = await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    await handOver(file, created, context);
    return ok(`Wrote ${relative} (${content.split("\n").length} lines).`);
  },
});
