import { notFound } from "./errors.js";
import type { CommentRecord, FakeGitHubState, IssueRecord, PullRecord, RepoState } from "./records.js";
import { repoKey } from "./strings.js";

export function findRepo(state: FakeGitHubState, owner: string, repo: string): RepoState | undefined {
  return state.repos.get(repoKey(owner, repo));
}

export function requireRepo(state: FakeGitHubState, params: Record<string, string>): RepoState {
  const repo = findRepo(state, params.owner ?? "", params.repo ?? "");
  if (repo === undefined) throw notFound();
  return repo;
}

/** For test setup, where a missing repository is a mistake in the test. */
export function mustFindRepo(state: FakeGitHubState, owner: string, repo: string): RepoState {
  const found = findRepo(state, owner, repo);
  if (found === undefined) throw new Error(`fake GitHub: add ${owner}/${repo} with addRepo first`);
  return found;
}

export function issuesOf(state: FakeGitHubState, repo: RepoState): IssueRecord[] {
  return state.issues.filter((issue) => repoKey(issue.owner, issue.repo) === repoKey(repo.owner, repo.name));
}

export function pullsOf(state: FakeGitHubState, repo: RepoState): PullRecord[] {
  return state.pulls.filter((pull) => repoKey(pull.owner, pull.repo) === repoKey(repo.owner, repo.name));
}

export function numberTaken(state: FakeGitHubState, repo: RepoState, number: number): boolean {
  return issuesOf(state, repo).some((issue) => issue.number === number) || pullsOf(state, repo).some((pull) => pull.number === number);
}

/** Issues and pull requests share a repository's numbers; the fake hands out 1000 and up. */
export function nextNumber(state: FakeGitHubState, repo: RepoState): number {
  const used = [...issuesOf(state, repo).map((issue) => issue.number), ...pullsOf(state, repo).map((pull) => pull.number)];
  return Math.max(999, ...used) + 1;
}

export function claimNumber(state: FakeGitHubState, repo: RepoState, wanted: number | undefined): number {
  if (wanted === undefined) return nextNumber(state, repo);
  if (numberTaken(state, repo, wanted)) throw new Error(`${repo.fullName}#${wanted} is already an issue or pull request`);
  return wanted;
}

export function requireIssueOrPull(state: FakeGitHubState, repo: RepoState, number: number): void {
  if (!numberTaken(state, repo, number)) throw notFound();
}

export function findComment(state: FakeGitHubState, repo: RepoState, commentId: number): CommentRecord {
  const comment = state.comments.find(
    (candidate) => candidate.id === commentId && repoKey(candidate.owner, candidate.repo) === repoKey(repo.owner, repo.name),
  );
  if (comment === undefined) throw notFound();
  return comment;
}

export function requirePull(state: FakeGitHubState, repo: RepoState, number: number): PullRecord {
  const pull = pullsOf(state, repo).find((candidate) => candidate.number === number);
  if (pull === undefined) throw notFound();
  return pull;
}

export function samePull(record: { owner: string; repo: string; pullNumber: number }, pull: PullRecord): boolean {
  return record.pullNumber === pull.number && repoKey(record.owner, record.repo) === repoKey(pull.owner, pull.repo);
}
