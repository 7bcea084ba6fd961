import { execFileSync } from "node:child_process";
import { resolveCommit } from "../fake-github/git.js";
import type { RepoState } from "./records.js";

export function branchSha(repo: RepoState, branch: string): Promise<string | null> {
  return resolveCommit(repo.gitDir, `refs/heads/${branch}`);
}

/**
 * What Gitea accepts where it takes a ref (`?ref=`, compare ends): a branch, then a tag, then a
 * commit id, full or abbreviated to at least 7 hex digits.
 */
export async function resolveRefish(repo: RepoState, ref: string): Promise<string | null> {
  if (ref === "") return null;
  const branch = await branchSha(repo, ref);
  if (branch !== null) return branch;
  const tag = await resolveCommit(repo.gitDir, `refs/tags/${ref}`);
  if (tag !== null) return tag;
  return /^[0-9a-f]{7,64}$/i.test(ref) ? resolveCommit(repo.gitDir, ref) : null;
}

/** For test setup, which is synchronous: a branch's head, or null. */
export function branchShaSync(repo: RepoState, branch: string): string | null {
  try {
    const args = ["--git-dir", repo.gitDir, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`];
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}
