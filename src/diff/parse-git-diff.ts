import { countChanges } from "./count-changes.js";
import { DiffParseError } from "./diff-parse-error.js";
import { gitLinePaths, markerPath, unquotePath } from "./git-path.js";
import { readHunks } from "./read-hunks.js";
import type { DiffFile, FileStatus, Hunk } from "./types.js";

export interface GitDiffOptions {
  /** git's `--src-prefix`; "" for `--no-prefix`. */
  readonly srcPrefix?: string;
  /** git's `--dst-prefix`; "" for `--no-prefix`. */
  readonly dstPrefix?: string;
}

interface FileHeader {
  gitLine: { oldPath: string; newPath: string } | null;
  fromMarker?: string | null;
  toMarker?: string | null;
  renameFrom?: string;
  renameTo?: string;
  copyFrom?: string;
  copyTo?: string;
  oldMode: string | null;
  newMode: string | null;
  created: boolean;
  deleted: boolean;
  binary: boolean;
}

/**
 * Reads the output of `git diff` (or `git show`, or `git diff --no-index`): every file with its
 * paths, status, modes and hunks. Text before the first `diff --git` line, such as the commit
 * header of `git show`, is skipped, and so is anything between a file's last hunk and the next
 * file (a `format-patch` signature).
 *
 * @example
 * const [file] = parseGitDiff(execFileSync("git", ["diff", "main", "HEAD"], { encoding: "utf8" }));
 * file?.status; // "renamed"
 */
export function parseGitDiff(text: string, options: GitDiffOptions = {}): DiffFile[] {
  const srcPrefix = options.srcPrefix ?? "a/";
  const dstPrefix = options.dstPrefix ?? "b/";
  const lines = text.split("\n");
  const files: DiffFile[] = [];
  let i = 0;
  while (i < lines.length && !lines[i]!.startsWith("diff --git ")) {
    if (/^diff --(cc|combined) /.test(lines[i]!)) {
      throw new DiffParseError("combined-diff", "a combined (merge) diff has no single old side; diff against one parent", {
        patchLine: i + 1,
      });
    }
    i++;
  }
  while (i < lines.length) {
    const header: FileHeader = {
      gitLine: gitLinePaths(lines[i]!.slice("diff --git ".length), srcPrefix, dstPrefix),
      oldMode: null,
      newMode: null,
      created: false,
      deleted: false,
      binary: false,
    };
    i++;
    while (i < lines.length && !lines[i]!.startsWith("diff --git ") && !lines[i]!.startsWith("@@")) {
      const line = lines[i]!;
      if (line.startsWith("GIT binary patch")) {
        header.binary = true;
        break;
      }
      readHeaderLine(line, header, srcPrefix, dstPrefix);
      i++;
    }
    let hunks: readonly Hunk[] = [];
    if (i < lines.length && lines[i]!.startsWith("@@")) {
      const run = readHunks(lines, i, header.toMarker ?? header.fromMarker ?? header.gitLine?.newPath ?? null);
      hunks = run.hunks;
      i = run.next;
    }
    while (i < lines.length && !lines[i]!.startsWith("diff --git ")) i++;
    files.push(toFile(header, hunks));
  }
  return files;
}

function readHeaderLine(line: string, header: FileHeader, srcPrefix: string, dstPrefix: string): void {
  const after = (marker: string) => line.slice(marker.length);
  if (line.startsWith("--- ")) header.fromMarker = markerPath(after("--- "), srcPrefix);
  else if (line.startsWith("+++ ")) header.toMarker = markerPath(after("+++ "), dstPrefix);
  else if (line.startsWith("rename from ")) header.renameFrom = unquotePath(after("rename from "));
  else if (line.startsWith("rename to ")) header.renameTo = unquotePath(after("rename to "));
  else if (line.startsWith("copy from ")) header.copyFrom = unquotePath(after("copy from "));
  else if (line.startsWith("copy to ")) header.copyTo = unquotePath(after("copy to "));
  else if (line.startsWith("old mode ")) header.oldMode = after("old mode ");
  else if (line.startsWith("new mode ")) header.newMode = after("new mode ");
  else if (line.startsWith("new file mode ")) {
    header.created = true;
    header.newMode = after("new file mode ");
  } else if (line.startsWith("deleted file mode ")) {
    header.deleted = true;
    header.oldMode = after("deleted file mode ");
  } else if (line.startsWith("Binary files ")) header.binary = true;
  else if (line.startsWith("index ")) {
    // `index abc..def 100644`: the mode of a file whose mode did not change.
    const mode = /^index \S+ (\d+)$/.exec(line)?.[1];
    if (mode) {
      header.oldMode ??= mode;
      header.newMode ??= mode;
    }
  }
}

function toFile(header: FileHeader, hunks: readonly Hunk[]): DiffFile {
  const status: FileStatus =
    header.created || header.fromMarker === null
      ? "added"
      : header.deleted || header.toMarker === null
        ? "removed"
        : header.renameFrom !== undefined || header.renameTo !== undefined
          ? "renamed"
          : header.copyFrom !== undefined || header.copyTo !== undefined
            ? "copied"
            : "modified";
  const oldPath = header.renameFrom ?? header.copyFrom ?? header.fromMarker ?? header.gitLine?.oldPath ?? "";
  const newPath = header.renameTo ?? header.copyTo ?? header.toMarker ?? header.gitLine?.newPath ?? oldPath;
  const path = status === "removed" ? oldPath : newPath;
  const { additions, deletions } = countChanges(hunks);
  return {
    path,
    previousPath: status !== "added" && status !== "removed" && oldPath !== newPath ? oldPath : null,
    status,
    binary: header.binary,
    patchOmitted: false,
    oldMode: header.created ? null : header.oldMode,
    newMode: header.deleted ? null : header.newMode,
    additions,
    deletions,
    hunks,
  };
}
