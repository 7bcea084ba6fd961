import { readFile, writeFile } from "node:fs/promises";
import { z } from "zod";
import { defineTool, fail, ok } from "./tool.js";

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

export const editFileTool = defineTool("edit_file", {
  description:
    "Replace one exact occurrence of old_text with new_text in a file. old_text must match the file exactly (including indentation) and occur exactly once; include surrounding lines to make it unique.",
  hostFiles: true,
  parameters: z.object({
    path: z.string().min(1).describe("Path relative to the repository root"),
    old_text: z.string().min(1).describe("The exact text to replace"),
    new_text: z.string().describe("The replacement text"),
  }),
  async execute({ path: relative, old_text, new_text }, context) {
    const file = await context.guard.resolve(relative, { write: true });
    const text = await readFile(file, "utf8");
    const first = text.indexOf(old_text);
    if (first === -1) {
      const trimmed = old_text.trim();
      const hint =
        trimmed && text.includes(trimmed)
          ? " The text exists with different surrounding whitespace; copy it exactly from read_file output (without the line numbers)."
          : " Read the file again with read_file and copy the text exactly.";
      return fail("no-match", `old_text was not found in ${relative}.${hint}`);
    }
    const second = text.indexOf(old_text, first + 1);
    if (second !== -1) {
      const lines: number[] = [];
      for (let i = first; i !== -1; i = text.indexOf(old_text, i + 1)) lines.push(lineOf(text, i));
      return fail(
        "ambiguous",
        `old_text occurs ${lines.length} times in ${relative} (lines ${lines.join(", ")}). Include more surrounding lines so it matches once.`,
      );
    }
    // Writing in place keeps the file's owner and mode.
    await writeFile(file, text.slice(0, first) + new_text + text.slice(first + old_text.length));
    return ok(`Edited ${relative} at line ${lineOf(text, first)}.`);
  },
});
