import type { Hunk } from "./types.js";

/** Added and deleted lines, as GitHub's `additions`/`deletions` and `git diff --numstat` count them. */
export function countChanges(hunks: readonly Hunk[]): { additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const hunk of hunks) {
    for (const line of hunk.lines) {
      if (line.kind === "add") additions++;
      else if (line.kind === "del") deletions++;
    }
  }
  return { additions, deletions };
}
