import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { defineTool, ok } from "./tool.js";

export const writeFileTool = defineTool("write_file", {
  description: "Create a file or replace its whole content. Prefer edit_file for changing part of an existing file.",
  parameters: z.object({
    path: z.string().min(1).describe("Path relative to the repository root"),
    content: z.string().describe("The complete new content of the file"),
  }),
  async execute({ path: relative, content }, { guard }) {
    const file = await guard.resolve(relative, { write: true });
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    return ok(`Wrote ${relative} (${content.split("\n").length} lines).`);
  },
});
