import { repoKey } from "../fake-github/strings.js";
import type { FakeContext } from "./context.js";
import { notFound } from "./errors.js";
import type { CommentRecord, FakeGiteaState, IssueRecord, PullRecord, RepoState } from "./records.js";

export function findRepo(state: FakeGiteaState, owner: string, repo: string): RepoState | undefined {
  return state.repos.get(repoKey(owner, repo));
}

/** For handlers: a repository the fake does not know answers 404, as `repoAssignment` does. */
export function requireRepo(fake: FakeContext, params: Record<string, string>): RepoState {
  const repo = findRepo(fake.state, params.owner ?? "", params.repo ?? "");
  if (repo === undefined) throw notFound();
  return repo;
}

/** For test setup, where a missing repository is a mistake in the test. */
export function mustFindRepo(state: FakeGiteaState, owner: string, repo: string): RepoState {
  const found = findRepo(state, owner, repo);
  if (found === undefined) throw new Error(`fake Gitea: add ${owner}/${repo} with addRepo first`);
  return found;
}

function inRepo(record: { owner: string; repo: string }, repo: RepoState): boolean {
  return repoKey(record.owner, record.repo) === repoKey(repo.owner, repo.name);
}

export function issuesOf(state: FakeGiteaState, repo: RepoState): IssueRecord[] {
  return state.issues.filter((issue) => inRepo(issue, repo));
}

export function pullsOf(state: FakeGiteaState, repo: RepoState): PullRecord[] {
  return state.pulls.filter((pull) => inRepo(pull, repo));
}

export function findIssue(state: FakeGiteaState, repo: RepoState, number: number): IssueRecord | undefined {
  return issuesOf(state, repo).find((issue) => issue.number === number);
}

export function findPull(state: FakeGiteaState, repo: RepoState, number: number): PullRecord | undefined {
  return pullsOf(state, repo).find((pull) => pull.number === number);
}

/** Not-found answers follow `ctx.NotFound(err)`: Gitea's generic message, the model's error in `errors`. */
export function requirePull(fake: FakeContext, repo: RepoState, number: number): PullRecord {
  const pull = findPull(fake.state, repo, number);
  if (pull === undefined) throw notFound(undefined, [`pull request does not exist [issue_id: 0, index: ${number}]`]);
  return pull;
}

/** Issues and pull requests share a repository's index, which counts from 1. */
export function claimNumber(state: FakeGiteaState, repo: RepoState, wanted: number | undefined): number {
  const used = [...issuesOf(state, repo), ...pullsOf(state, repo)].map((entry) => entry.number);
  if (wanted === undefined) return Math.max(0, ...used) + 1;
  if (used.includes(wanted)) throw new Error(`fake Gitea: ${repo.fullName}#${wanted} is already an issue or pull request`);
  return wanted;
}

export function findComment(fake: FakeContext, repo: RepoState, id: number): CommentRecord {
  const comment = fake.state.comments.find((candidate) => candidate.id === id && inRepo(candidate, repo));
  if (comment === undefined) throw notFound(undefined, [`comment does not exist [id: ${id}]`]);
  return comment;
}

export function isOfPull(record: { owner: string; repo: string; pullNumber: number }, pull: PullRecord): boolean {
  return record.pullNumber === pull.number && repoKey(record.owner, record.repo) === repoKey(pull.owner, pull.repo);
}
