import { execFileSync } from "node:child_process";
import { commitObject } from "./commits.js";
import type { FakeContext } from "./context.js";
import { notFound } from "./errors.js";
import { resolveCommit } from "./git.js";
import { mustFindRepo, requireRepo } from "./lookups.js";
import type { RepoState } from "./records.js";
import type { Handlers } from "./routing.js";

export async function branchSha(repo: RepoState, branch: string): Promise<string | null> {
  if (repo.gitDir !== undefined) return resolveCommit(repo.gitDir, `refs/heads/${branch}`);
  return repo.branches.get(branch) ?? null;
}

/** For test setup, which is synchronous. */
export function branchShaSync(repo: RepoState, branch: string): string | null {
  if (repo.gitDir === undefined) return repo.branches.get(branch) ?? null;
  try {
    const args = ["--git-dir", repo.gitDir, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`];
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

export const branchHandlers: Handlers = {
  "repos/get-branch": async (fake, { params }) => {
    const repo = requireRepo(fake.state, params);
    const branch = params.branch ?? "";
    const sha = await branchSha(repo, branch);
    if (sha === null) throw notFound("Branch not found");
    const branchUrl = `${fake.apiBase}/repos/${repo.fullName}/branches/${branch}`;
    const isProtected = repo.protectedBranches.has(branch);
    return {
      status: 200,
      json: {
        name: branch,
        commit: await commitObject(fake, repo, sha),
        _links: { self: branchUrl, html: `${fake.url}/${repo.fullName}/tree/${branch}` },
        protected: isProtected,
        protection: { enabled: isProtected, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } },
        protection_url: `${branchUrl}/protection`,
      },
    };
  },
};

/** Read only for a repository without gitDir; a gitDir has its own branches. */
export function setBranch(fake: FakeContext, owner: string, repo: string, branch: string, sha: string): void {
  mustFindRepo(fake.state, owner, repo).branches.set(branch, sha);
}
