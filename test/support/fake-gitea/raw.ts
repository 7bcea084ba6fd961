import { git, gitBuffer } from "../fake-github/git.js";
import type { FakeContext } from "./context.js";
import { notFound } from "./errors.js";
import { branchSha, resolveRefish } from "./git-refs.js";
import { requireRepo } from "./lookups.js";
import type { RepoState } from "./records.js";
import type { Handlers, Reply } from "./routing.js";

/**
 * Without `?ref=`, Gitea still reads a ref from the front of the path (`/raw/<branch>/<file>`,
 * the legacy form `RepoRefForAPI` keeps), and only then falls back to the default branch.
 */
async function legacyRef(repo: RepoState, filepath: string): Promise<{ sha: string; path: string } | null> {
  const segments = filepath.split("/");
  for (let length = segments.length - 1; length >= 1; length--) {
    const sha = await resolveRefish(repo, segments.slice(0, length).join("/"));
    if (sha !== null) return { sha, path: segments.slice(length).join("/") };
  }
  const sha = await branchSha(repo, repo.defaultBranch);
  return sha === null ? null : { sha, path: filepath };
}

async function rawFile(fake: FakeContext, params: Record<string, string>, query: Record<string, string>): Promise<Reply> {
  const repo = requireRepo(fake, params);
  const filepath = params.filepath ?? "";
  let where: { sha: string; path: string } | null;
  if (query.ref !== undefined) {
    const sha = await resolveRefish(repo, query.ref);
    if (sha === null) throw notFound(undefined, [`not exist: '${query.ref}'`]);
    where = { sha, path: filepath };
  } else {
    where = await legacyRef(repo, filepath);
  }
  if (where === null) throw notFound();
  const object = `${where.sha}:${where.path}`;
  if ((await git(repo.gitDir, ["cat-file", "-t", object]))?.trim() !== "blob") throw notFound();
  const data = await gitBuffer(repo.gitDir, ["cat-file", "blob", object]);
  if (data === null) throw notFound();
  // Gitea sniffs the type; text comes back as text/plain, anything with a NUL byte as a binary.
  const binary = data.subarray(0, 8000).includes(0);
  return { status: 200, raw: { contentType: binary ? "application/octet-stream" : "text/plain; charset=utf-8", data } };
}

export const rawHandlers: Handlers = {
  repoGetRawFile: (fake, { params, query }) => rawFile(fake, params, query),
};
