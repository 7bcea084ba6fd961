import { commitObject, diffEntryObject } from "./commits.js";
import type { FakeContext } from "./context.js";
import { HttpError } from "./errors.js";
import { git, resolveCommit } from "./git.js";
import { requireRepo } from "./lookups.js";
import type { RepoState } from "./records.js";
import { notImplemented, paginate, type Handlers, type Reply, type RouteContext } from "./routing.js";
import { sameLogin, splitOnce } from "./strings.js";

const COMPARE_DOCS = "https://docs.github.com/rest/commits/commits#compare-two-commits";
/** GitHub lists at most 300 files of a comparison. */
const MAX_COMPARE_FILES = 300;
/** Without paging parameters a comparison lists its newest 250 commits. */
const MAX_COMPARE_COMMITS = 250;

/**
 * A ref or commit as GitHub finds it. A commit that no ref reaches any more (the old head after
 * a force push) is treated as gone, so comparing against it answers 404.
 */
async function reachableCommit(repo: RepoState, gitDir: string, spec: string): Promise<string | null> {
  const [owner, ref] = spec.includes(":") ? splitOnce(spec, ":") : [repo.owner, spec];
  if (!sameLogin(owner, repo.owner) || ref === "") return null;
  const sha = await resolveCommit(gitDir, ref);
  if (sha === null) return null;
  const containing = await git(gitDir, ["for-each-ref", "--count=1", "--contains", sha, "--format=%(refname)"]);
  return containing?.trim() ? sha : null;
}

async function revList(gitDir: string, range: string): Promise<string[]> {
  return ((await git(gitDir, ["rev-list", "--reverse", range])) ?? "").split("\n").filter(Boolean);
}

async function compareCommits(fake: FakeContext, context: RouteContext): Promise<Reply> {
  const { url } = fake;
  const repo = requireRepo(fake.state, context.params);
  if (repo.gitDir === undefined) return notImplemented(fake, context, "repos/compare-commits-with-basehead without a gitDir");
  // The deprecated `{base}...{head}` route matches the same paths; both land here.
  const basehead = context.params.basehead ?? `${context.params.base ?? ""}...${context.params.head ?? ""}`;
  const [baseSpec, headSpec] = splitOnce(basehead, "...");
  const missing = (message: string) => new HttpError(404, { message, documentation_url: COMPARE_DOCS, status: "404" });
  const base = await reachableCommit(repo, repo.gitDir, baseSpec);
  const head = await reachableCommit(repo, repo.gitDir, headSpec);
  if (base === null || head === null) throw missing("Not Found");
  const mergeBase = (await git(repo.gitDir, ["merge-base", base, head]))?.trim();
  if (!mergeBase) throw missing(`No common ancestor between ${baseSpec} and ${headSpec}.`);
  const ahead = await revList(repo.gitDir, `${mergeBase}..${head}`);
  const behindBy = (await revList(repo.gitDir, `${mergeBase}..${base}`)).length;
  const status = base === head ? "identical" : behindBy === 0 ? "ahead" : ahead.length === 0 ? "behind" : "diverged";
  // Files come with the first page only, as GitHub documents for paged comparisons.
  const paged = context.query.page !== undefined || context.query.per_page !== undefined;
  const { page: commits, headers } = paged ? paginate(fake, ahead, context) : { page: ahead.slice(-MAX_COMPARE_COMMITS), headers: {} };
  const firstPage = Number(context.query.page ?? 1) <= 1;
  const files = firstPage ? (await fake.git.diffOnce(repo.gitDir, mergeBase, head)).slice(0, MAX_COMPARE_FILES) : [];
  const html = `${url}/${repo.fullName}/compare/${basehead}`;
  return {
    status: 200,
    headers,
    json: {
      url: `${fake.apiBase}/repos/${repo.fullName}/compare/${basehead}`,
      html_url: html,
      permalink_url: `${url}/${repo.fullName}/compare/${repo.owner}:${base}...${repo.owner}:${head}`,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      base_commit: await commitObject(fake, repo, base),
      merge_base_commit: await commitObject(fake, repo, mergeBase),
      status,
      ahead_by: ahead.length,
      behind_by: behindBy,
      total_commits: ahead.length,
      commits: await Promise.all(commits.map((sha) => commitObject(fake, repo, sha))),
      ...(firstPage ? { files: files.map((file) => diffEntryObject(fake, repo, head, file)) } : {}),
    },
  };
}

export const compareHandlers: Handlers = {
  "repos/compare-commits-with-basehead": (fake, context) => compareCommits(fake, context),

  "repos/compare-commits": (fake, context) => compareCommits(fake, context),
};
