import type { DiffFile, Hunk } from "./types.js";

const MARKER = { add: "+", del: "-", context: " " } as const;

/**
 * A file's hunks as GitHub's `patch` field carries them: no file header and no newline after the
 * last line. This lets the CLI hand a local `git diff` to the review in the same shape as a pull
 * request's file list, so both paths through the review read one format.
 *
 * @example
 * patchText(parseGitDiff(diff)[0]!); // "@@ -1,2 +1,2 @@\n a\n-b\n+c"
 */
export function patchText(file: Pick<DiffFile, "hunks">): string {
  const out: string[] = [];
  for (const hunk of file.hunks) appendHunk(out, hunk);
  return out.join("\n");
}

function appendHunk(out: string[], hunk: Hunk): void {
  out.push(hunk.header);
  for (const line of hunk.lines) {
    out.push(MARKER[line.kind] + line.text);
    if (line.noNewline) out.push("\\ No newline at end of file");
  }
}
