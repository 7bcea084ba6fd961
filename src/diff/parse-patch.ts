import { countChanges } from "./count-changes.js";
import { DiffParseError } from "./diff-parse-error.js";
import { readHunks } from "./read-hunks.js";
import type { DiffFile, FileStatus, Hunk } from "./types.js";

/** Lines a patch may carry above its first hunk when it was cut from a full `git diff`. */
const FILE_HEADER =
  /^(diff --git |index |--- |\+\+\+ |old mode |new mode |deleted file mode |new file mode |similarity index |dissimilarity index |rename from |rename to |copy from |copy to )/;

/**
 * Reads the hunks of one file's patch as GitHub's "list pull request files" API returns it:
 * hunks only, no file header, usually no newline after the last line.
 *
 * @example
 * parsePatch("@@ -1,2 +1,2 @@\n a\n-b\n+c").map((h) => h.lines.map((l) => [l.kind, l.newLine]));
 * // [[["context", 1], ["del", null], ["add", 2]]]
 */
export function parsePatch(patch: string, path: string | null = null): readonly Hunk[] {
  if (patch === "") return [];
  const lines = patch.split("\n");
  let i = 0;
  while (i < lines.length && FILE_HEADER.test(lines[i]!)) i++;
  const { hunks, next } = readHunks(lines, i, path);
  for (let j = next; j < lines.length; j++) {
    // A patch that does end with a newline splits into one last empty string.
    if (lines[j] === "" && j === lines.length - 1) break;
    throw new DiffParseError("unexpected-line", `expected a hunk header, found ${JSON.stringify(lines[j]!.slice(0, 80))}`, {
      patchLine: j + 1,
      path,
    });
  }
  return hunks;
}

/** One entry of GitHub's "list pull request files", narrowed to what the diff needs. */
export interface PullRequestFileInput {
  /** GitHub's `filename`. */
  readonly path: string;
  /** GitHub's `previous_filename`, present for renames and copies. */
  readonly previousPath?: string | null | undefined;
  /** GitHub's `status`: added, removed, modified, renamed, copied, changed or unchanged. */
  readonly status: string;
  /** Absent for binary files, for renames without changes, and for diffs GitHub finds too large. */
  readonly patch?: string | null | undefined;
  readonly additions?: number | undefined;
  readonly deletions?: number | undefined;
}

/**
 * Turns one file of a pull request, as the forge lists it, into a `DiffFile`.
 *
 * @example
 * parsePullRequestFile({ path: "src/a.ts", status: "modified", patch: "@@ -3 +3 @@\n-x\n+y" }).hunks[0]?.newStart; // 3
 */
export function parsePullRequestFile(input: PullRequestFileInput): DiffFile {
  const hunks = input.patch ? parsePatch(input.patch, input.path) : [];
  // Without a patch only the forge's own counts say how large the change is.
  const counts = input.patch ? countChanges(hunks) : { additions: input.additions ?? 0, deletions: input.deletions ?? 0 };
  const status = githubStatus(input.status);
  const previousPath = input.previousPath && input.previousPath !== input.path ? input.previousPath : null;
  return {
    path: input.path,
    previousPath,
    status,
    binary: false,
    patchOmitted: !input.patch && (input.additions ?? 0) + (input.deletions ?? 0) > 0,
    oldMode: null,
    newMode: null,
    additions: counts.additions,
    deletions: counts.deletions,
    hunks,
  };
}

function githubStatus(status: string): FileStatus {
  switch (status) {
    case "added":
    case "removed":
    case "renamed":
    case "copied":
      return status;
    default:
      return "modified";
  }
}
