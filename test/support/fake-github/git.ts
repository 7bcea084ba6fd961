import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { timestamp } from "./ids.js";

const execFileAsync = promisify(execFile);

export async function git(gitDir: string, args: string[]): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync("git", ["--git-dir", gitDir, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch {
    return null;
  }
}

export async function gitBuffer(gitDir: string, args: string[]): Promise<Buffer | null> {
  try {
    const { stdout } = await execFileAsync("git", ["--git-dir", gitDir, ...args], { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch {
    return null;
  }
}

export async function resolveCommit(gitDir: string, rev: string): Promise<string | null> {
  const out = await git(gitDir, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  return out === null ? null : out.trim();
}

export interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  size: number;
  path: string;
}

export async function lsTree(gitDir: string, commit: string, path: string): Promise<TreeEntry[]> {
  const out = await git(gitDir, ["ls-tree", "-l", "-z", commit, "--", path]);
  if (out === null) return [];
  return out
    .split("\0")
    .filter((line) => line !== "")
    .map((line) => {
      const [meta = "", entryPath = ""] = line.split("\t");
      const [mode = "", type = "", sha = "", size = "0"] = meta.split(/\s+/);
      return { mode, type, sha, size: Number(size) || 0, path: entryPath };
    });
}

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerName: string;
  committerEmail: string;
  committerDate: string;
  message: string;
}

export async function readCommit(gitDir: string, sha: string): Promise<CommitInfo | null> {
  const out = await git(gitDir, ["log", "-1", "--format=%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B", sha]);
  if (out === null) return null;
  const [hash = sha, tree = "", parents = "", an = "", ae = "", ad = "", cn = "", ce = "", cd = "", message = ""] = out.split("\0");
  return {
    sha: hash,
    tree,
    parents: parents.split(" ").filter(Boolean),
    authorName: an,
    authorEmail: ae,
    authorDate: timestamp(new Date(ad)),
    committerName: cn,
    committerEmail: ce,
    committerDate: timestamp(new Date(cd)),
    message: message.replace(/\n+$/, ""),
  };
}
