import { readFile, stat } from "node:fs/promises";
import { z } from "zod";
import { defineTool, fail, ok } from "./tool.js";

const MAX_LINES = 800;

export const readFileTool = defineTool("read_file", {
  description: `Read a text file of the repository with line numbers. Give start_line and end_line (1-based, inclusive) to read part of a long file; at most ${MAX_LINES} lines are returned at once.`,
  hostFiles: true,
  parameters: z.object({
    path: z.string().min(1).describe("Path relative to the repository root"),
    start_line: z.number().int().positive().optional(),
    end_line: z.number().int().positive().optional(),
  }),
  async execute({ path, start_line, end_line }, { guard }) {
    const file = await guard.resolve(path);
    const info = await stat(file);
    if (info.isDirectory()) return fail("is-directory", `${path} is a directory; use list_files.`);
    if (info.size > 5_000_000) return fail("too-large", `${path} is ${info.size} bytes; use grep to find the part you need.`);
    const buffer = await readFile(file);
    if (buffer.subarray(0, 8000).includes(0)) return fail("binary", `${path} is a binary file.`);
    const lines = buffer.toString("utf8").split("\n");
    if (lines.at(-1) === "") lines.pop();
    const first = start_line ?? 1;
    if (end_line !== undefined && end_line < first) return fail("out-of-range", `end_line ${end_line} is before start_line ${first}.`);
    if (first > Math.max(1, lines.length))
      return fail("out-of-range", `${path} has ${lines.length} lines; start_line ${first} is past the end.`);
    const last = Math.min(lines.length, end_line ?? lines.length, first + MAX_LINES - 1);
    const width = String(last).length;
    const body = lines
      .slice(first - 1, last)
      .map((line, i) => `${String(first + i).padStart(width)}\t${line}`)
      .join("\n");
    const more = last < lines.length ? `\n[lines ${first}-${last} of ${lines.length}; read on with start_line ${last + 1}]` : "";
    return ok(`${body}${more}`);
  },
});
