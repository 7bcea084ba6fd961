import type { DiffFile, Side } from "./types.js";

export interface ContentMismatch {
  readonly side: Side;
  readonly line: number;
  /** What the diff shows at that line, or a description of the end-of-file expectation. */
  readonly expected: string;
  /** What the file has there; undefined past its end. */
  readonly actual: string | undefined;
}

export interface ContentCheck {
  /** Diff lines compared, once per side they appear on. */
  readonly checked: number;
  readonly mismatches: readonly ContentMismatch[];
}

/**
 * Compares every line a diff shows with the file contents it claims to describe: each deleted and
 * context line with the old file at its old number, each added and context line with the new file
 * at its new number, and the `\ No newline at end of file` markers with how each file really ends.
 * A review reads the changed files in full anyway; a mismatch means the patch belongs to another
 * head (a push raced the review) and comments would land on the wrong lines.
 *
 * Pass null for a side that does not exist (the old side of an added file).
 *
 * @example
 * checkAgainstContent(file, await readBlob(base, file.previousPath ?? file.path), await readBlob(head, file.path)).mismatches.length; // 0
 */
export function checkAgainstContent(file: DiffFile, oldText: string | null, newText: string | null): ContentCheck {
  const sides = { LEFT: splitLines(oldText), RIGHT: splitLines(newText) };
  const mismatches: ContentMismatch[] = [];
  let checked = 0;
  const compare = (side: Side, line: number, text: string, noNewline: boolean) => {
    checked++;
    const content = sides[side];
    const actual = content.lines[line - 1];
    if (actual !== text) {
      mismatches.push({ side, line, expected: text, actual });
      return;
    }
    const isLast = line === content.lines.length;
    if (noNewline !== (isLast && !content.endsWithNewline)) {
      mismatches.push({ side, line, expected: noNewline ? "the last line, without a line end" : "a line with a line end", actual });
    }
  };
  for (const hunk of file.hunks) {
    for (const line of hunk.lines) {
      // A marker after a context line says both files end there; after a `-` or `+` line, that side.
      if (line.oldLine !== null) compare("LEFT", line.oldLine, line.text, line.noNewline);
      if (line.newLine !== null) compare("RIGHT", line.newLine, line.text, line.noNewline);
    }
  }
  return { checked, mismatches };
}

function splitLines(text: string | null): { lines: string[]; endsWithNewline: boolean } {
  if (text === null || text === "") return { lines: [], endsWithNewline: false };
  const lines = text.split("\n");
  const endsWithNewline = text.endsWith("\n");
  if (endsWithNewline) lines.pop();
  return { lines, endsWithNewline };
}
