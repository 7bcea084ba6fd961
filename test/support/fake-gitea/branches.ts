import { readCommit } from "../fake-github/git.js";
import { accessMode, canWrite } from "./access.js";
import type { FakeContext } from "./context.js";
import { notFound } from "./errors.js";
import { branchSha } from "./git-refs.js";
import { requireRepo } from "./lookups.js";
import type { RepoState } from "./records.js";
import { repoHtmlUrl } from "./repos.js";
import type { Handlers } from "./routing.js";

/** How Gitea reports an unsigned commit (`verification.reason`). */
const NOT_SIGNED = { verified: false, reason: "gpg.error.not_signed_commit", signature: "", signer: null, payload: "" };

/** A PayloadCommit, as a Branch's `commit` is rendered (`convert.ToPayloadCommit`). */
export async function payloadCommitObject(fake: FakeContext, repo: RepoState, sha: string): Promise<Record<string, unknown>> {
  const commit = await readCommit(repo.gitDir, sha);
  if (commit === null) throw new Error(`fake Gitea: ${repo.fullName} has no commit ${sha}`);
  return {
    id: commit.sha,
    message: `${commit.message}\n`,
    url: `${repoHtmlUrl(fake, repo)}/commit/${commit.sha}`,
    author: { name: commit.authorName, email: commit.authorEmail, username: "" },
    committer: { name: commit.committerName, email: commit.committerEmail, username: "" },
    verification: NOT_SIGNED,
    timestamp: commit.authorDate,
    added: null,
    removed: null,
    modified: null,
  };
}

export const branchHandlers: Handlers = {
  /**
   * A protected branch reports `user_can_push: false`: a protection rule with default settings
   * allows no pushes (push whitelists are not modelled). Elsewhere writers may push.
   */
  repoGetBranch: async (fake, { params, doer }) => {
    const repo = requireRepo(fake, params);
    const name = params.branch ?? "";
    const sha = await branchSha(repo, name);
    if (sha === null) throw notFound(undefined, [`branch does not exist [repo_id: ${repo.id} name: ${name}]`]);
    const isProtected = repo.protectedBranches.has(name);
    const writer = canWrite(accessMode(fake, repo, doer));
    return {
      status: 200,
      json: {
        name,
        commit: await payloadCommitObject(fake, repo, sha),
        protected: isProtected,
        required_approvals: 0,
        enable_status_check: false,
        status_check_contexts: [],
        user_can_push: writer && !isProtected,
        user_can_merge: writer,
        effective_branch_protection_name: isProtected ? name : "",
      },
    };
  },
};
