import type { FakeContext } from "./context.js";
import type { DiffFile } from "./diff.js";
import { readCommit } from "./git.js";
import { fakeSha, nodeId, stableId } from "./ids.js";
import type { RepoState } from "./records.js";

export async function commitObject(fake: FakeContext, repo: RepoState, sha: string): Promise<Record<string, unknown>> {
  const { url } = fake;
  const info = repo.gitDir === undefined ? null : await readCommit(repo.gitDir, sha);
  const repoUrl = `${fake.apiBase}/repos/${repo.fullName}`;
  const date = info?.committerDate ?? repo.createdAt;
  const person = (name: string | undefined, email: string | undefined, when: string) => ({
    name: name ?? "Test",
    email: email ?? "test@example.com",
    date: when,
  });
  return {
    sha,
    node_id: nodeId("C", stableId(sha)),
    url: `${repoUrl}/commits/${sha}`,
    html_url: `${url}/${repo.fullName}/commit/${sha}`,
    comments_url: `${repoUrl}/commits/${sha}/comments`,
    commit: {
      url: `${repoUrl}/git/commits/${sha}`,
      author: person(info?.authorName, info?.authorEmail, info?.authorDate ?? date),
      committer: person(info?.committerName, info?.committerEmail, date),
      message: info?.message ?? "",
      tree: { sha: info?.tree ?? fakeSha(`tree:${sha}`), url: `${repoUrl}/git/trees/${info?.tree ?? fakeSha(`tree:${sha}`)}` },
      comment_count: 0,
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    },
    author: null,
    committer: null,
    parents: (info?.parents ?? []).map((parent) => ({
      sha: parent,
      url: `${repoUrl}/commits/${parent}`,
      html_url: `${url}/${repo.fullName}/commit/${parent}`,
    })),
  };
}

/** A `files` entry of a pull request or a comparison. */
export function diffEntryObject(fake: FakeContext, repo: RepoState, commit: string, file: DiffFile): Record<string, unknown> {
  const { url } = fake;
  const path = file.filename.split("/").map(encodeURIComponent).join("/");
  return {
    sha: file.sha,
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.additions + file.deletions,
    blob_url: `${url}/${repo.fullName}/blob/${commit}/${path}`,
    raw_url: `${url}/${repo.fullName}/raw/${commit}/${path}`,
    contents_url: `${fake.apiBase}/repos/${repo.fullName}/contents/${path}?ref=${commit}`,
    ...(file.patch !== undefined ? { patch: file.patch } : {}),
    ...(file.previousFilename !== null ? { previous_filename: file.previousFilename } : {}),
  };
}
