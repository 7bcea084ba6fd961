import { diffHunkThrough, rowAt, type DiffFile, type DiffRow } from "./diff.js";
import type { ReviewCommentRecord } from "./records.js";

/** One entry of `comments` in `POST …/reviews`. */
export interface ReviewCommentInput {
  path?: string;
  line?: number;
  side?: string;
  start_line?: number;
  start_side?: string;
  position?: number;
  body?: string;
}

export type Placement = Pick<ReviewCommentRecord, "path" | "line" | "side" | "startLine" | "startSide" | "position" | "diffHunk">;

function isSide(value: string): value is "LEFT" | "RIGHT" {
  return value === "LEFT" || value === "RIGHT";
}

/** Where a comment lands in the diff at the review's commit, or the sentence GitHub refuses it with. */
export function placeComment(files: DiffFile[], input: ReviewCommentInput): Placement | string {
  const file = files.find((candidate) => candidate.filename === input.path);
  if (file === undefined) return "Path could not be resolved";
  let end: DiffRow | undefined;
  let side: "LEFT" | "RIGHT" = "RIGHT";
  if (input.line !== undefined) {
    const wanted = input.side ?? "RIGHT";
    if (isSide(wanted)) {
      side = wanted;
      end = rowAt(file, side, input.line);
    }
  } else if (input.position !== undefined) {
    end = file.rows.find((row) => row.position === input.position);
    side = end?.kind === "del" ? "LEFT" : "RIGHT";
  }
  if (end === undefined) return "Line could not be resolved";
  const line = (side === "LEFT" ? end.oldLine : end.newLine) as number;
  let startSide: "LEFT" | "RIGHT" | null = null;
  if (input.start_line !== undefined) {
    const wanted = input.start_side ?? side;
    const start = isSide(wanted) ? rowAt(file, wanted, input.start_line) : undefined;
    if (start === undefined || start.hunk !== end.hunk)
      return "Pull request review thread start line must be part of the same hunk as the line.";
    if (start.position >= end.position) return "Pull request review thread start line must precede the end line.";
    startSide = wanted as "LEFT" | "RIGHT";
  }
  return {
    path: file.filename,
    line,
    side,
    startLine: input.start_line ?? null,
    startSide,
    position: end.position,
    diffHunk: diffHunkThrough(file, end),
  };
}
