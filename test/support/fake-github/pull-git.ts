import { branchSha } from "./branches.js";
import type { FakeContext } from "./context.js";
import { git, resolveCommit } from "./git.js";
import { findRepo } from "./lookups.js";
import type { PullRecord, RepoState } from "./records.js";
import { splitOnce } from "./strings.js";

export interface PullGit {
  gitDir: string;
  baseSha: string;
  headSha: string;
  mergeBase: string;
}

export async function currentHeadSha(fake: FakeContext, pull: PullRecord): Promise<string> {
  const [owner = "", name = ""] = pull.headRepoFullName.split("/");
  const headRepo = findRepo(fake.state, owner, name);
  if (headRepo?.gitDir === undefined) return pull.headSha;
  return (await resolveCommit(headRepo.gitDir, `refs/heads/${pull.headRef}`)) ?? pull.headSha;
}

/**
 * The repository holding both ends of the pull request. GitHub keeps a fork's head in the base
 * repository as refs/pull/N/head; the fake fetches it there the same way when the head lives in
 * another bare repository.
 */
export async function pullGit(fake: FakeContext, pull: PullRecord): Promise<PullGit> {
  const repo = findRepo(fake.state, pull.owner, pull.repo) as RepoState;
  if (repo.gitDir === undefined) throw new Error(`fake GitHub: ${repo.fullName} needs a gitDir for pull request diffs`);
  const headSha = await currentHeadSha(fake, pull);
  const baseSha = await branchSha(repo, pull.baseRef);
  if (baseSha === null) throw new Error(`fake GitHub: ${repo.fullName} has no branch ${pull.baseRef}`);
  const headRepo = findRepo(fake.state, ...splitOnce(pull.headRepoFullName, "/"));
  if (headRepo !== repo && (await git(repo.gitDir, ["cat-file", "-e", `${headSha}^{commit}`])) === null) {
    const fetched =
      headRepo?.gitDir !== undefined &&
      headRepo !== repo &&
      (await git(repo.gitDir, ["fetch", "--quiet", headRepo.gitDir, `+refs/heads/${pull.headRef}:refs/pull/${pull.number}/head`])) !== null;
    if (!fetched) throw new Error(`fake GitHub: head ${headSha} of ${repo.fullName}#${pull.number} is in no repository the fake can read`);
  }
  const mergeBase = (await fake.git.gitOnce(repo.gitDir, ["merge-base", baseSha, headSha]))?.trim();
  if (!mergeBase) throw new Error(`fake GitHub: ${repo.fullName}#${pull.number} has no common ancestor with ${pull.baseRef}`);
  return { gitDir: repo.gitDir, baseSha, headSha, mergeBase };
}

/** The figures of a detailed pull request; a pull request without real git keeps GitHub-shaped placeholders. */
export async function pullFigures(
  fake: FakeContext,
  pull: PullRecord,
): Promise<{ commits: number; additions: number; deletions: number; changedFiles: number }> {
  const repo = findRepo(fake.state, pull.owner, pull.repo);
  const headRepo = findRepo(fake.state, ...splitOnce(pull.headRepoFullName, "/"));
  if (repo?.gitDir === undefined || headRepo?.gitDir === undefined) return { commits: 1, additions: 0, deletions: 0, changedFiles: 0 };
  try {
    const where = await pullGit(fake, pull);
    const files = await fake.git.diffOnce(where.gitDir, where.mergeBase, where.headSha);
    const commits = (await fake.git.gitOnce(where.gitDir, ["rev-list", "--count", `${where.mergeBase}..${where.headSha}`]))?.trim();
    return {
      commits: Number(commits) || 0,
      additions: files.reduce((sum, file) => sum + file.additions, 0),
      deletions: files.reduce((sum, file) => sum + file.deletions, 0),
      changedFiles: files.length,
    };
  } catch {
    return { commits: 1, additions: 0, deletions: 0, changedFiles: 0 };
  }
}
