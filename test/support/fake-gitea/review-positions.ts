import { rowAt, type DiffFile, type DiffRow } from "../fake-github/diff.js";

/** One entry of `comments` in `POST …/reviews` (CreatePullReviewComment). */
export interface ReviewCommentInput {
  path?: string;
  body?: string;
  new_position?: number;
  old_position?: number;
}

export interface Placement {
  path: string;
  newPosition: number;
  oldPosition: number;
  diffHunk: string;
}

/** Gitea's `[ui] CODE_COMMENT_LINES`: how many diff lines a comment's `diff_hunk` keeps, ending at its line. */
const CODE_COMMENT_LINES = 4;

/**
 * Where a comment lands in the diff of the review's commit, or why it does not. Gitea takes any
 * line (a negative `old_position` wins, else `new_position`) and stores a comment off the diff
 * with an empty hunk, which nobody then sees next to the code. The fake is stricter on purpose:
 * exactly one of the two is set, `new_position` names an added or context line of the head side,
 * `old_position` a removed or context line of the base side, inside a hunk of that file.
 */
export function placeComment(files: DiffFile[], input: ReviewCommentInput): Placement | string {
  const path = input.path ?? "";
  const newPosition = input.new_position ?? 0;
  const oldPosition = input.old_position ?? 0;
  if (newPosition < 0 || oldPosition < 0) return `${path}: positions are line numbers and cannot be negative`;
  if ((newPosition === 0) === (oldPosition === 0)) {
    return `${path}: exactly one of new_position (${newPosition}) and old_position (${oldPosition}) must be set`;
  }
  const file = files.find((candidate) => candidate.filename === path);
  if (file === undefined) return `${path} is not changed by the pull request at this commit`;
  const row = newPosition !== 0 ? rowAt(file, "RIGHT", newPosition) : rowAt(file, "LEFT", oldPosition);
  if (row === undefined) {
    return newPosition !== 0
      ? `${path}: new_position ${newPosition} is not an added or context line of the diff`
      : `${path}: old_position ${oldPosition} is not a removed or context line of the diff`;
  }
  return { path, newPosition, oldPosition, diffHunk: diffHunk(file, row) };
}

/**
 * A comment's `diff_hunk`, as Gitea cuts it (`CutDiffAroundLine`, then `patch2diff`): a fresh
 * `@@` header and the last few lines of the hunk up to the commented one. Approximate: Gitea
 * counts the kept lines per side, the fake counts rows.
 */
function diffHunk(file: DiffFile, row: DiffRow): string {
  const lines = (file.patch ?? "").split("\n");
  const hunkRows = file.rows.filter((candidate) => candidate.hunk === row.hunk && candidate.position <= row.position);
  const kept = hunkRows.slice(-CODE_COMMENT_LINES);
  const skipped = hunkRows.slice(0, hunkRows.length - kept.length);
  const start = (side: "oldLine" | "newLine") => {
    const first = kept.find((candidate) => candidate[side] !== null)?.[side];
    if (first !== undefined && first !== null) return first;
    const before = [...skipped].reverse().find((candidate) => candidate[side] !== null)?.[side];
    return before === undefined || before === null ? 0 : before + 1;
  };
  const oldCount = kept.filter((candidate) => candidate.kind !== "add").length;
  const newCount = kept.filter((candidate) => candidate.kind !== "del").length;
  const header = `@@ -${start("oldLine")},${oldCount} +${start("newLine")},${newCount} @@`;
  return [header, ...kept.map((candidate) => lines[candidate.position] ?? "")].join("\n");
}
