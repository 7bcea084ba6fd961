import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { DiffFile } from "../fake-github/diff.js";
import type { FakeContext } from "./context.js";
import { requirePull, requireRepo } from "./lookups.js";
import { pullGit } from "./pull-git.js";
import type { RepoState } from "./records.js";
import { repoApiUrl, repoHtmlUrl } from "./repos.js";
import { paginate, type Handlers, type Reply, type RouteContext } from "./routing.js";

const execFileAsync = promisify(execFile);

/** Settings a developer's git config could change are pinned, so the text is what Gitea's git prints. */
const PINNED = ["-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false", "-c", "diff.renames=true", "-c", "core.quotePath=true"];

/**
 * `.diff` is `git diff -p <merge base>...<head>` and `.patch` is `git format-patch --binary
 * --stdout` over the same range, written straight to the response, which Go labels text/plain.
 */
async function diffOrPatch(fake: FakeContext, context: RouteContext): Promise<Reply> {
  const repo = requireRepo(fake, context.params);
  const where = await pullGit(fake, requirePull(fake, repo, Number(context.params.index)));
  const range = `${where.mergeBase}...${where.headSha}`;
  const args =
    context.params.diffType === "patch"
      ? ["format-patch", "--binary", "--stdout", range]
      : ["diff", "--no-color", "--no-ext-diff", "-p", ...(context.query.binary === "true" ? ["--binary"] : []), range];
  const { stdout } = await execFileAsync("git", [...PINNED, "--git-dir", where.gitDir, ...args], {
    encoding: "buffer",
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: 200, raw: { contentType: "text/plain; charset=utf-8", data: stdout } };
}

/**
 * Gitea's ChangedFile status (`convert.ToChangedFile`): `added`, `deleted`, `renamed` (with
 * `previous_filename`), `copied`, `unchanged` for a mode change, and `changed` — not
 * `modified` — for everything else.
 */
function changedStatus(file: DiffFile): string {
  if (file.status === "removed") return "deleted";
  if (file.status === "added" || file.status === "renamed" || file.status === "copied") return file.status;
  return file.additions === 0 && file.deletions === 0 ? "unchanged" : "changed";
}

export function changedFileObject(fake: FakeContext, repo: RepoState, commit: string, file: DiffFile): Record<string, unknown> {
  const escaped = file.filename.split("/").map(encodeURIComponent).join("/");
  const status = changedStatus(file);
  return {
    filename: file.filename,
    ...(status === "renamed" && file.previousFilename !== null ? { previous_filename: file.previousFilename } : {}),
    status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.additions + file.deletions,
    html_url: `${repoHtmlUrl(fake, repo)}/src/commit/${commit}/${escaped}`,
    contents_url: `${repoApiUrl(fake, repo)}/contents/${escaped}?ref=${commit}`,
    raw_url: `${repoHtmlUrl(fake, repo)}/raw/commit/${commit}/${escaped}`,
  };
}

async function pullFiles(fake: FakeContext, context: RouteContext): Promise<Reply> {
  const repo = requireRepo(fake, context.params);
  const where = await pullGit(fake, requirePull(fake, repo, Number(context.params.index)));
  const files = await fake.git.diffOnce(where.gitDir, where.mergeBase, where.headSha);
  const { page, headers } = paginate(fake, files, context);
  return { status: 200, json: page.map((file) => changedFileObject(fake, repo, where.headSha, file)), headers };
}

export const pullDiffHandlers: Handlers = {
  repoDownloadPullDiffOrPatch: (fake, context) => diffOrPatch(fake, context),
  repoGetPullRequestFiles: (fake, context) => pullFiles(fake, context),
};
