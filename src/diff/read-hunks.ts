import { DiffParseError, type DiffParseReason } from "./diff-parse-error.js";
import type { DiffLine, Hunk, LineKind } from "./types.js";

const HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

type MutableLine = { -readonly [K in keyof DiffLine]: DiffLine[K] };

export interface HunkRun {
  readonly hunks: readonly Hunk[];
  /** Index of the first line after the run. */
  readonly next: number;
}

/**
 * Reads the hunks that start at `lines[start]` (an `@@` line) and follow one another.
 *
 * A hunk ends when its header's counts are used up, never at a line that merely looks like the
 * end: a deleted line `-- x` or an added `++ y` would otherwise pass for the next file's
 * `---`/`+++` header. An empty line inside a hunk is read as an empty context line, because some
 * tools strip the single space git writes there.
 */
export function readHunks(lines: readonly string[], start: number, path: string | null = null): HunkRun {
  const hunks: Hunk[] = [];
  let i = start;
  const fail = (reason: DiffParseReason, message: string): never => {
    // A truncated hunk is reported at the last line there is.
    throw new DiffParseError(reason, message, { patchLine: Math.min(i, lines.length - 1) + 1, path });
  };
  while (i < lines.length && lines[i]!.startsWith("@@")) {
    const header = lines[i]!;
    const match = HEADER.exec(header);
    if (header.startsWith("@@@")) fail("combined-diff", "a combined (merge) diff has no single old side; diff against one parent");
    if (!match) fail("bad-hunk-header", `not a hunk header: ${JSON.stringify(header.slice(0, 80))}`);
    const [, oldStartText, oldCountText, newStartText, newCountText, rest] = match!;
    const oldStart = Number(oldStartText);
    const newStart = Number(newStartText);
    const oldLines = oldCountText === undefined ? 1 : Number(oldCountText);
    const newLines = newCountText === undefined ? 1 : Number(newCountText);
    let oldLeft = oldLines;
    let newLeft = newLines;
    let oldNo = oldStart;
    let newNo = newStart;
    const out: MutableLine[] = [];
    const push = (kind: LineKind, text: string) => {
      out.push({
        kind,
        text,
        oldLine: kind === "add" ? null : oldNo++,
        newLine: kind === "del" ? null : newNo++,
        noNewline: false,
        position: i - start,
      });
    };
    const markNoNewline = () => {
      const last = out[out.length - 1];
      if (!last) fail("bad-hunk-line", "a `\\ No newline at end of file` marker before any line");
      last!.noNewline = true;
    };
    i++;
    while (oldLeft > 0 || newLeft > 0) {
      if (i >= lines.length) fail("truncated-hunk", `${header} ends ${oldLeft} old and ${newLeft} new lines short`);
      const line = lines[i]!;
      const marker = line.length === 0 ? " " : line[0];
      if (marker === " ") {
        if (oldLeft === 0 || newLeft === 0) fail("bad-hunk-line", `more context lines than ${header} counts`);
        push("context", line.slice(1));
        oldLeft--;
        newLeft--;
      } else if (marker === "-") {
        if (oldLeft === 0) fail("bad-hunk-line", `more old lines than ${header} counts`);
        push("del", line.slice(1));
        oldLeft--;
      } else if (marker === "+") {
        if (newLeft === 0) fail("bad-hunk-line", `more new lines than ${header} counts`);
        push("add", line.slice(1));
        newLeft--;
      } else if (marker === "\\") {
        markNoNewline();
      } else {
        fail("bad-hunk-line", `a line inside ${header} starts with ${JSON.stringify(marker)}`);
      }
      i++;
    }
    // The marker of the hunk's last line comes after the counts are used up.
    while (i < lines.length && lines[i]!.startsWith("\\")) {
      markNoNewline();
      i++;
    }
    hunks.push({ header, oldStart, oldLines, newStart, newLines, section: sectionOf(rest!), lines: out });
  }
  return { hunks, next: i };
}

function sectionOf(rest: string): string {
  const text = rest.endsWith("\r") ? rest.slice(0, -1) : rest;
  return text.startsWith(" ") ? text.slice(1) : text;
}
