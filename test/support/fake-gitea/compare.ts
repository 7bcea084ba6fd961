import { git, readCommit } from "../fake-github/git.js";
import type { FakeContext } from "./context.js";
import { notFound } from "./errors.js";
import { resolveRefish } from "./git-refs.js";
import { requireRepo } from "./lookups.js";
import type { RepoState } from "./records.js";
import { repoApiUrl, repoHtmlUrl } from "./repos.js";
import type { Handlers, Reply, RouteContext } from "./routing.js";

/** git's empty tree: what a root commit's files are compared with. */
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/** A Commit as `convert.ToCommit` renders it with stats and files; authors are not matched to users. */
async function commitObject(fake: FakeContext, repo: RepoState, sha: string): Promise<Record<string, unknown>> {
  const commit = await readCommit(repo.gitDir, sha);
  if (commit === null) throw new Error(`fake Gitea: ${repo.fullName} has no commit ${sha}`);
  const apiUrl = repoApiUrl(fake, repo);
  const files = await fake.git.diffOnce(repo.gitDir, commit.parents[0] ?? EMPTY_TREE, sha);
  const additions = files.reduce((sum, file) => sum + file.additions, 0);
  const deletions = files.reduce((sum, file) => sum + file.deletions, 0);
  return {
    url: `${apiUrl}/git/commits/${sha}`,
    sha,
    created: commit.committerDate,
    html_url: `${repoHtmlUrl(fake, repo)}/commit/${sha}`,
    commit: {
      url: `${apiUrl}/git/commits/${sha}`,
      author: { name: commit.authorName, email: commit.authorEmail, date: commit.authorDate },
      committer: { name: commit.committerName, email: commit.committerEmail, date: commit.committerDate },
      message: `${commit.message}\n`,
      tree: { url: `${apiUrl}/git/trees/${commit.tree}`, sha: commit.tree, created: commit.committerDate },
      verification: { verified: false, reason: "gpg.error.not_signed_commit", signature: "", signer: null, payload: "" },
    },
    author: null,
    committer: null,
    parents: commit.parents.map((parent) => ({ url: `${apiUrl}/git/commits/${parent}`, sha: parent, created: commit.committerDate })),
    files: files.map((file) => ({
      filename: file.filename,
      status: file.status === "added" || file.status === "removed" ? file.status : "modified",
    })),
    stats: { total: additions + deletions, additions, deletions },
  };
}

/**
 * `{basehead}` is `base...head` or `base..head`; a bare ref is compared with the default branch.
 * The commits are those of head not on base, newest first, as `git log base..head` lists them.
 */
async function compare(fake: FakeContext, context: RouteContext): Promise<Reply> {
  const repo = requireRepo(fake, context.params);
  const basehead = context.params.basehead ?? "";
  const separator = basehead.includes("...") ? "..." : basehead.includes("..") ? ".." : null;
  const [base, head] =
    separator === null
      ? [repo.defaultBranch, basehead]
      : [basehead.split(separator)[0] ?? "", basehead.slice(basehead.indexOf(separator) + separator.length)];
  const baseSha = await resolveRefish(repo, base);
  if (baseSha === null) throw notFound("BaseNotExist");
  const headSha = await resolveRefish(repo, head);
  if (headSha === null) throw notFound("IsRefExist");
  const listed = (await git(repo.gitDir, ["rev-list", `${baseSha}..${headSha}`])) ?? "";
  const shas = listed.split("\n").filter((line) => line !== "");
  const commits = await Promise.all(shas.map((sha) => commitObject(fake, repo, sha)));
  return { status: 200, json: { total_commits: commits.length, commits } };
}

export const compareHandlers: Handlers = {
  repoCompareDiff: (fake, context) => compare(fake, context),
};
