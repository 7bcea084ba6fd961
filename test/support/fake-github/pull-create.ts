import { branchSha, branchShaSync } from "./branches.js";
import type { FakeContext } from "./context.js";
import { validationFailed } from "./errors.js";
import { git } from "./git.js";
import { timestamp } from "./ids.js";
import { claimNumber, findRepo, mustFindRepo, nextNumber, pullsOf, requireRepo } from "./lookups.js";
import { pullObject } from "./pulls.js";
import type { PullRecord } from "./records.js";
import { notImplemented, type Handlers, type Reply, type RouteContext } from "./routing.js";
import { sameLogin, splitOnce } from "./strings.js";
import type { AddPullRequestOptions } from "./test-api.js";

interface PullCreateBody {
  title?: string;
  head?: string;
  head_repo?: string;
  base?: string;
  body?: string;
  draft?: boolean;
  maintainer_can_modify?: boolean;
  issue?: number;
}

async function createPull(fake: FakeContext, context: RouteContext): Promise<Reply> {
  const { state } = fake;
  const repo = requireRepo(state, context.params);
  const body = (context.body ?? {}) as PullCreateBody;
  if (body.issue !== undefined) return notImplemented(fake, context, "pulls/create with `issue`");
  if (body.title === undefined) throw validationFailed([{ resource: "PullRequest", code: "missing_field", field: "title" }]);
  const [headOwner, headRef] = (body.head ?? "").includes(":") ? splitOnce(body.head ?? "", ":") : [repo.owner, body.head ?? ""];
  const headRepo =
    body.head_repo !== undefined
      ? findRepo(state, ...splitOnce(body.head_repo, "/"))
      : sameLogin(headOwner, repo.owner)
        ? repo
        : findRepo(state, headOwner, repo.name);
  const headSha = headRepo === undefined ? null : await branchSha(headRepo, headRef);
  if (headRepo === undefined || headSha === null) throw validationFailed([{ resource: "PullRequest", field: "head", code: "invalid" }]);
  const baseRef = body.base ?? "";
  const baseSha = await branchSha(repo, baseRef);
  if (baseSha === null) throw validationFailed([{ resource: "PullRequest", field: "base", code: "invalid" }]);
  const duplicate = pullsOf(state, repo).find(
    (pull) =>
      pull.state === "open" && sameLogin(pull.headRepoFullName, headRepo.fullName) && pull.headRef === headRef && pull.baseRef === baseRef,
  );
  if (duplicate !== undefined) {
    throw validationFailed([
      { resource: "PullRequest", code: "custom", message: `A pull request already exists for ${headRepo.owner}:${headRef}.` },
    ]);
  }
  if (
    headRepo === repo &&
    repo.gitDir !== undefined &&
    (await git(repo.gitDir, ["merge-base", "--is-ancestor", headSha, baseSha])) !== null
  ) {
    throw validationFailed([{ resource: "PullRequest", code: "custom", message: `No commits between ${baseRef} and ${headRef}` }]);
  }
  const now = timestamp();
  const pull: PullRecord = {
    id: fake.counters.pull++,
    owner: repo.owner,
    repo: repo.name,
    number: nextNumber(state, repo),
    title: body.title,
    body: body.body ?? null,
    draft: body.draft ?? false,
    state: "open",
    headRef,
    headSha,
    headRepoFullName: headRepo.fullName,
    headCloneUrl: headRepo.cloneUrl,
    baseRef,
    user: fake.botLogin,
    maintainerCanModify: body.maintainer_can_modify ?? headRepo !== repo,
    createdAt: now,
    updatedAt: now,
  };
  state.pulls.push(pull);
  const json = await pullObject(fake, pull, true);
  return { status: 201, json, headers: { location: String(json.url) } };
}

export const pullCreateHandlers: Handlers = {
  "pulls/create": (fake, context) => createPull(fake, context),
};

export function addPullRequest(fake: FakeContext, pullOptions: AddPullRequestOptions): PullRecord {
  const { state } = fake;
  const repo = mustFindRepo(state, pullOptions.owner, pullOptions.repo);
  const headRepoFullName = pullOptions.headRepoFullName ?? repo.fullName;
  const headRepo = findRepo(state, ...splitOnce(headRepoFullName, "/"));
  const headSha = pullOptions.headSha ?? (headRepo === undefined ? null : branchShaSync(headRepo, pullOptions.headRef));
  if (headSha === null) throw new Error(`fake GitHub: give headSha, ${headRepoFullName} has no branch ${pullOptions.headRef}`);
  const now = timestamp();
  const number = claimNumber(state, repo, pullOptions.number);
  const pull: PullRecord = {
    id: fake.counters.pull++,
    owner: repo.owner,
    repo: repo.name,
    number,
    title: pullOptions.title ?? `Pull request ${number}`,
    body: pullOptions.body ?? null,
    draft: pullOptions.draft ?? false,
    state: pullOptions.state ?? "open",
    headRef: pullOptions.headRef,
    headSha,
    headRepoFullName,
    headCloneUrl: pullOptions.headCloneUrl ?? headRepo?.cloneUrl ?? `${fake.url}/${headRepoFullName}.git`,
    baseRef: pullOptions.baseRef ?? repo.defaultBranch,
    user: pullOptions.user ?? "octocat",
    maintainerCanModify: headRepoFullName !== repo.fullName,
    createdAt: now,
    updatedAt: now,
  };
  state.pulls.push(pull);
  return pull;
}
