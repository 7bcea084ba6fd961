import type { DiffFile, Side } from "./types.js";

/** Lines `start..end` (1-based, inclusive) of one side, all inside hunk number `hunk`. */
export interface LineRange {
  readonly start: number;
  readonly end: number;
  readonly hunk: number;
}

/** Where a comment can go instead of the line a finding named. */
export interface CommentableLine {
  readonly path: string;
  readonly side: Side;
  readonly line: number;
  /** How far it is from the line asked for; 0 when that line itself is commentable. */
  readonly distance: number;
}

/**
 * The lines of one file that a review comment may target. GitHub accepts a comment only on a line
 * shown in the diff: on the RIGHT side the new-file numbers of added and context lines, on the LEFT
 * the old-file numbers of deleted and context lines. Within a hunk each side's lines are one
 * unbroken run, so a side is a list of ranges, one per hunk, in file order.
 */
export class FileLineMap {
  readonly file: DiffFile;
  private readonly ranges: Record<Side, LineRange[]>;

  constructor(file: DiffFile) {
    this.file = file;
    const right: LineRange[] = [];
    const left: LineRange[] = [];
    file.hunks.forEach((hunk, index) => {
      if (hunk.newLines > 0) right.push({ start: hunk.newStart, end: hunk.newStart + hunk.newLines - 1, hunk: index });
      if (hunk.oldLines > 0) left.push({ start: hunk.oldStart, end: hunk.oldStart + hunk.oldLines - 1, hunk: index });
    });
    const byStart = (a: LineRange, b: LineRange) => a.start - b.start;
    this.ranges = { RIGHT: right.sort(byStart), LEFT: left.sort(byStart) };
  }

  /** The ranges of one side, one per hunk that has lines on that side, in file order. */
  rangesOf(side: Side): readonly LineRange[] {
    return this.ranges[side];
  }

  /** Every commentable line of one side, ascending. */
  lines(side: Side): number[] {
    const out: number[] = [];
    for (const range of this.ranges[side]) for (let line = range.start; line <= range.end; line++) out.push(line);
    return out;
  }

  /** The index of the hunk that shows `line` on `side`, or null when the diff does not show it. */
  hunkAt(side: Side, line: number): number | null {
    const range = this.rangeAt(side, line);
    return range && range.start <= line ? range.hunk : null;
  }

  canComment(side: Side, line: number): boolean {
    return this.hunkAt(side, line) !== null;
  }

  /** GitHub rejects a multi-line comment unless its first and last line are in the same hunk. */
  canCommentRange(side: Side, startLine: number, endLine: number): boolean {
    if (startLine > endLine) return false;
    const hunk = this.hunkAt(side, startLine);
    return hunk !== null && this.hunkAt(side, endLine) === hunk;
  }

  /** The commentable line closest to `line`; on a tie the earlier one. Null when the side shows no line. */
  nearest(side: Side, line: number): { line: number; distance: number } | null {
    const ranges = this.ranges[side];
    const at = this.indexAt(side, line);
    const after = ranges[at];
    if (after && after.start <= line) return { line, distance: 0 };
    const before = ranges[at - 1];
    const candidates = [
      ...(before ? [{ line: before.end, distance: line - before.end }] : []),
      ...(after ? [{ line: after.start, distance: after.start - line }] : []),
    ];
    return candidates.reduce<{ line: number; distance: number } | null>(
      (best, c) => (best === null || c.distance < best.distance ? c : best),
      null,
    );
  }

  /**
   * The new file's lines `startLine..endLine` as the diff shows them, for checking that a suggested
   * replacement covers exactly the commented lines; null unless they form a valid comment range.
   */
  newText(startLine: number, endLine: number): string[] | null {
    if (!this.canCommentRange("RIGHT", startLine, endLine)) return null;
    const hunk = this.file.hunks[this.hunkAt("RIGHT", startLine)!]!;
    const out: string[] = [];
    for (const line of hunk.lines) {
      if (line.newLine !== null && line.newLine >= startLine && line.newLine <= endLine) out.push(line.text);
    }
    return out;
  }

  /** The range whose end is the first at or after `line` (it may start after `line`). */
  private rangeAt(side: Side, line: number): LineRange | undefined {
    return this.ranges[side][this.indexAt(side, line)];
  }

  private indexAt(side: Side, line: number): number {
    const ranges = this.ranges[side];
    let low = 0;
    let high = ranges.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (ranges[mid]!.end < line) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/**
 * The commentable lines of every file of a diff, by the path comments are posted on.
 *
 * @example
 * const map = DiffLineMap.from(parseGitDiff(diff));
 * map.canComment("src/a.ts", "RIGHT", 12);
 * map.nearestCommentable("src/a.ts", 40); // { path: "src/a.ts", side: "RIGHT", line: 35, distance: 5 }
 */
export class DiffLineMap {
  private readonly files: ReadonlyMap<string, FileLineMap>;

  private constructor(files: ReadonlyMap<string, FileLineMap>) {
    this.files = files;
  }

  /**
   * A path listed twice keeps its last entry: git shows a file replaced by a symlink as a deletion
   * followed by an addition, and comments go on the new one.
   */
  static from(files: readonly DiffFile[]): DiffLineMap {
    return new DiffLineMap(new Map(files.map((file) => [file.path, new FileLineMap(file)])));
  }

  /** The map of one file; a renamed file is found by its new path only, as GitHub expects comments. */
  file(path: string): FileLineMap | undefined {
    return this.files.get(path);
  }

  paths(): string[] {
    return [...this.files.keys()];
  }

  canComment(path: string, side: Side, line: number): boolean {
    return this.files.get(path)?.canComment(side, line) ?? false;
  }

  canCommentRange(path: string, side: Side, startLine: number, endLine: number): boolean {
    return this.files.get(path)?.canCommentRange(side, startLine, endLine) ?? false;
  }

  /**
   * The commentable line nearest to `line` of `path` on `side` (RIGHT unless said otherwise), for
   * moving a finding onto the diff; the caller decides from `distance` whether the move is honest
   * or the finding belongs in the summary. Null when the file is not in the diff or shows no line
   * on that side (binary, omitted, or removed for RIGHT).
   */
  nearestCommentable(path: string, line: number, side: Side = "RIGHT"): CommentableLine | null {
    const found = this.files.get(path)?.nearest(side, line);
    return found ? { path, side, ...found } : null;
  }

  /** The new-side text of lines `startLine..endLine` of `path`; null unless that is a valid comment range. */
  newSideText(path: string, startLine: number, endLine: number): string[] | null {
    return this.files.get(path)?.newText(startLine, endLine) ?? null;
  }
}
