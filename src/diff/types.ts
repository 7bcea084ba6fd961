/** The shapes of a parsed diff: files, hunks and lines, numbered as GitHub numbers them for review comments. */

/**
 * GitHub's file statuses that matter to a review. GitHub's `changed` (a mode change) and
 * `unchanged` arrive as `modified`.
 */
export type FileStatus = "added" | "removed" | "modified" | "renamed" | "copied";

export type LineKind = "add" | "del" | "context";

/** A review comment's side: LEFT is the base (old) file, RIGHT the head (new) file. */
export type Side = "LEFT" | "RIGHT";

export interface DiffLine {
  readonly kind: LineKind;
  /** The content without its `+`/`-`/` ` marker. The CR of CRLF content stays: it is part of the line. */
  readonly text: string;
  /** 1-based line in the old file; null for an added line. */
  readonly oldLine: number | null;
  /** 1-based line in the new file; null for a deleted line. */
  readonly newLine: number | null;
  /** Followed by `\ No newline at end of file`: the last line of its side, without a line end. */
  readonly noNewline: boolean;
  /**
   * GitHub's legacy `position`: how many patch lines below the file's first `@@` header this line
   * is. Later hunk headers and `\ No newline` markers count as lines too.
   */
  readonly position: number;
}

export interface Hunk {
  /** The header line as written, e.g. `@@ -10,7 +10,8 @@ function foo`. */
  readonly header: string;
  /** With a count of 0 the start is the line before the (empty) range, as in `@@ -0,0 +1,3 @@`. */
  readonly oldStart: number;
  readonly oldLines: number;
  readonly newStart: number;
  readonly newLines: number;
  /** The function context git writes after the second `@@`, or "" when there is none. */
  readonly section: string;
  readonly lines: readonly DiffLine[];
}

export interface DiffFile {
  /** The path comments are posted on: the new path, or the old one for a removed file (GitHub's `filename`). */
  readonly path: string;
  /** The old path when it differs from `path` (renames, copies, `git diff --no-index` of two directories). */
  readonly previousPath: string | null;
  readonly status: FileStatus;
  /** git reported the file as binary: it has no lines to comment on. */
  readonly binary: boolean;
  /**
   * The source gave no hunks although lines changed: GitHub leaves `patch` out of a file whose diff
   * is too large. Such a file can only be mentioned in the summary.
   */
  readonly patchOmitted: boolean;
  readonly oldMode: string | null;
  readonly newMode: string | null;
  readonly additions: number;
  readonly deletions: number;
  readonly hunks: readonly Hunk[];
}
