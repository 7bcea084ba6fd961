import type { DiffFile } from "./types.js";

/**
 * A file's hunks with each line's number written beside it, for the model's prompt. Small models
 * miscount lines from `@@` headers; with the numbers in front of them they cite the lines they
 * mean, and the line map then only has to confirm them. Added and context lines carry their
 * new-file (RIGHT) number, deleted lines their old-file (LEFT) number marked with `L`. The CR of
 * CRLF content is left out here only: a model reads it as noise.
 *
 * @example
 * numberedPatch(file);
 * // @@ -10,3 +10,3 @@ function foo
 * //   10   const a = 1;
 * // L11 - const b = 2;
 * //   11 + const b = 3;
 */
export function numberedPatch(file: DiffFile): string {
  let widest = 1;
  for (const hunk of file.hunks)
    widest = Math.max(widest, String(Math.max(hunk.oldStart + hunk.oldLines, hunk.newStart + hunk.newLines)).length);
  const out: string[] = [];
  for (const hunk of file.hunks) {
    out.push(hunk.header);
    for (const line of hunk.lines) {
      const label = line.kind === "del" ? `L${line.oldLine}` : String(line.newLine);
      const marker = line.kind === "add" ? "+" : line.kind === "del" ? "-" : " ";
      const text = line.text.endsWith("\r") ? line.text.slice(0, -1) : line.text;
      out.push(`${label.padStart(widest + 1)} ${marker} ${text}`);
    }
  }
  return out.join("\n");
}
