import { parseGitDiff } from "../../diff/parse-git-diff.js";
import { patchText } from "../../diff/patch-text.js";
import type { ChangedFile } from "../forge.js";

/**
 * A pull request's files from its whole `git diff`, each with its hunks as the `patch` a review
 * reads (GitHub's shape); binary files and changes without hunks (a pure rename) have none.
 */
export function changedFilesOf(diff: string): ChangedFile[] {
  return parseGitDiff(diff).map((file) => {
    const patch = file.binary || file.hunks.length === 0 ? null : patchText(file);
    return {
      path: file.path,
      previousPath: file.previousPath,
      status: file.status,
      additions: file.additions,
      deletions: file.deletions,
      changes: file.additions + file.deletions,
      patch,
      sha: null,
    };
  });
}
