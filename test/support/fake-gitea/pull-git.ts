import { resolveCommit } from "../fake-github/git.js";
import type { FakeContext } from "./context.js";
import { branchSha } from "./git-refs.js";
import { mustFindRepo } from "./lookups.js";
import type { PullRecord } from "./records.js";

export interface PullGit {
  gitDir: string;
  headSha: string;
  baseSha: string;
  mergeBase: string;
}

/**
 * Where a pull request stands in git now: its head branch (or the head it was opened with, once
 * that branch is gone), its base branch, and their merge base, which Gitea diffs from.
 */
export async function pullGit(fake: FakeContext, pull: PullRecord): Promise<PullGit> {
  const repo = mustFindRepo(fake.state, pull.owner, pull.repo);
  const headSha = (await branchSha(repo, pull.headRef)) ?? pull.headSha;
  const baseSha = await branchSha(repo, pull.baseRef);
  if (baseSha === null) throw new Error(`fake Gitea: ${repo.fullName} has no branch ${pull.baseRef}`);
  const mergeBase = await mergeBaseOf(fake, repo.gitDir, baseSha, headSha);
  return { gitDir: repo.gitDir, headSha, baseSha, mergeBase };
}

export async function mergeBaseOf(fake: FakeContext, gitDir: string, a: string, b: string): Promise<string> {
  const mergeBase = (await fake.git.gitOnce(gitDir, ["merge-base", a, b]))?.trim();
  if (!mergeBase) throw new Error(`fake Gitea: ${a} and ${b} have no common ancestor in ${gitDir}`);
  return mergeBase;
}

/** A commit id of the pull request: the head or one of its ancestors not already on the base. */
export async function pullCommit(fake: FakeContext, where: PullGit, commitId: string): Promise<string | null> {
  const sha = commitId === where.headSha ? commitId : await resolveCommit(where.gitDir, commitId);
  if (sha === null) return null;
  const onHead = await fake.git.isAncestor(where.gitDir, sha, where.headSha);
  const onBase = sha !== where.headSha && (await fake.git.isAncestor(where.gitDir, sha, where.baseSha));
  return onHead && !onBase ? sha : null;
}
