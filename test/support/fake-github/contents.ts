import type { FakeContext } from "./context.js";
import { notFound } from "./errors.js";
import { gitBuffer, lsTree, resolveCommit, type TreeEntry } from "./git.js";
import { gitBlobSha } from "./ids.js";
import { mustFindRepo, requireRepo } from "./lookups.js";
import type { RepoState } from "./records.js";
import type { Handlers, Reply, RouteContext } from "./routing.js";

/** GitHub wraps base64 content at 60 characters and ends every line, the last included, with \n. */
function wrappedBase64(content: Buffer): string {
  const encoded = content.toString("base64");
  let result = "";
  for (let index = 0; index < encoded.length; index += 60) result += `${encoded.slice(index, index + 60)}\n`;
  return result;
}

function contentLinks(fake: FakeContext, repo: RepoState, path: string, ref: string, sha: string, kind: "blob" | "tree") {
  const self = `${fake.apiBase}/repos/${repo.fullName}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const gitUrl = `${fake.apiBase}/repos/${repo.fullName}/git/${kind === "blob" ? "blobs" : "trees"}/${sha}`;
  const htmlUrl = `${fake.url}/${repo.fullName}/${kind}/${ref}/${path}`;
  return { url: self, git_url: gitUrl, html_url: htmlUrl, _links: { self, git: gitUrl, html: htmlUrl } };
}

function fileObject(fake: FakeContext, repo: RepoState, path: string, ref: string, sha: string, content: Buffer): Record<string, unknown> {
  return {
    type: "file",
    encoding: "base64",
    size: content.length,
    name: path.split("/").pop() ?? path,
    path,
    content: wrappedBase64(content),
    sha,
    ...contentLinks(fake, repo, path, ref, sha, "blob"),
    download_url: `${fake.url}/${repo.fullName}/raw/${ref}/${path}`,
  };
}

function directoryEntry(fake: FakeContext, repo: RepoState, entry: TreeEntry, ref: string): Record<string, unknown> {
  const type = entry.type === "tree" ? "dir" : entry.type === "commit" ? "submodule" : entry.mode === "120000" ? "symlink" : "file";
  return {
    type,
    size: entry.type === "blob" ? entry.size : 0,
    name: entry.path.split("/").pop() ?? entry.path,
    path: entry.path,
    sha: entry.sha,
    ...contentLinks(fake, repo, entry.path, ref, entry.sha, entry.type === "tree" ? "tree" : "blob"),
    download_url: type === "file" ? `${fake.url}/${repo.fullName}/raw/${ref}/${entry.path}` : null,
  };
}

async function getContent(fake: FakeContext, context: RouteContext): Promise<Reply> {
  const repo = requireRepo(fake.state, context.params);
  const path = (context.params.path ?? "").replace(/^\/+|\/+$/g, "");
  const ref = context.query.ref ?? repo.defaultBranch;
  const wantsRaw = /application\/vnd\.github(\.v3)?\.raw/.test(context.accept);
  const override = repo.files.get(path);
  if (override !== undefined) return contentReply(fileObject(fake, repo, path, ref, gitBlobSha(override), override), override, wantsRaw);
  if (repo.gitDir === undefined) throw notFound();
  const commit = await resolveCommit(repo.gitDir, ref);
  if (commit === null) throw notFound(`No commit found for the ref ${ref}`);
  const [entry] = await lsTree(repo.gitDir, commit, path);
  if (entry === undefined || entry.path !== path) throw notFound();
  if (entry.type === "tree") {
    const children = await lsTree(repo.gitDir, commit, `${path}/`);
    return { status: 200, json: children.map((child) => directoryEntry(fake, repo, child, ref)) };
  }
  const content = await gitBuffer(repo.gitDir, ["cat-file", "blob", entry.sha]);
  if (content === null) throw notFound();
  return contentReply(fileObject(fake, repo, path, ref, entry.sha, content), content, wantsRaw);
}

function contentReply(json: Record<string, unknown>, content: Buffer, raw: boolean): Reply {
  return raw ? { status: 200, raw: { contentType: "application/vnd.github.raw; charset=utf-8", data: content } } : { status: 200, json };
}

export const contentHandlers: Handlers = {
  "repos/get-content": (fake, context) => getContent(fake, context),
};

/** Files set here win over gitDir, whatever the ref. */
export function setFile(fake: FakeContext, owner: string, repo: string, path: string, content: string | Buffer): void {
  mustFindRepo(fake.state, owner, repo).files.set(path.replace(/^\/+/, ""), typeof content === "string" ? Buffer.from(content) : content);
}
