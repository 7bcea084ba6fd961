import { GitError, runGit } from "../../git/run-git.js";

export interface TrackedFile {
  readonly path: string;
  /** git's file mode: `100644`, `100755`, `120000` (symbolic link), `160000` (submodule). */
  readonly mode: string;
}

export class ScanError extends Error {
  readonly reason: "not-a-repository";
  readonly root: string;
  constructor(root: string, cause: unknown) {
    super(`cannot list the files of ${root}: it is not a git work tree (run the scan on a clone or a worktree)`, { cause });
    this.name = "ScanError";
    this.reason = "not-a-repository";
    this.root = root;
  }
}

/**
 * The paths git tracks in the work tree at `root`, in git's order. Asking git (rather than
 * walking the disk) is what makes .gitignore, .git/info/exclude and untracked build output hold.
 * `-z` keeps names with newlines or non-ASCII bytes intact; `core.quotepath=off` is set too, so
 * nothing in between ever sees a C-quoted name.
 */
export async function trackedFiles(root: string): Promise<TrackedFile[]> {
  let stdout: string;
  try {
    ({ stdout } = await runGit(["-c", "core.quotepath=off", "ls-files", "-z", "--stage"], { cwd: root }));
  } catch (error) {
    if (error instanceof GitError || (error as NodeJS.ErrnoException).code === "ENOENT") throw new ScanError(root, error);
    throw error;
  }
  const seen = new Set<string>();
  const files: TrackedFile[] = [];
  for (const entry of stdout.split("\0")) {
    // "<mode> <object> <stage>\t<path>"; a conflicted path is listed once per stage.
    const tab = entry.indexOf("\t");
    if (tab === -1) continue;
    const path = entry.slice(tab + 1);
    if (seen.has(path)) continue;
    seen.add(path);
    files.push({ path, mode: entry.slice(0, entry.indexOf(" ")) });
  }
  return files;
}
