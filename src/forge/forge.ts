/**
 * What the bot asks of a forge. Handlers and jobs speak only this interface; the GitHub
 * implementation lives in `github/`, the CLI's printing one in `local/`.
 */
export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export type Reaction = "eyes" | "+1" | "-1" | "rocket" | "confused";

export interface PostedComment {
  readonly id: number;
  readonly url: string;
}

export interface PullRequestInfo {
  readonly number: number;
  readonly url: string;
  readonly title: string;
  readonly draft: boolean;
  readonly state: "open" | "closed";
  readonly head: { readonly ref: string; readonly sha: string; readonly repoFullName: string | null; readonly cloneUrl: string | null };
  readonly base: { readonly ref: string; readonly repoFullName: string };
}

export interface NewPullRequest {
  readonly title: string;
  readonly body: string;
  readonly head: string;
  readonly base: string;
  readonly draft: boolean;
}

export interface Forge {
  getPermission(repo: RepoRef, login: string): Promise<Permission>;
  addReaction(repo: RepoRef, commentId: number, reaction: Reaction): Promise<void>;
  createComment(repo: RepoRef, issueNumber: number, body: string): Promise<PostedComment>;
  updateComment(repo: RepoRef, commentId: number, body: string): Promise<void>;
  /** Text of a file on `ref`, or null when the file does not exist. */
  getFile(repo: RepoRef, path: string, ref: string): Promise<string | null>;
  getPullRequest(repo: RepoRef, number: number): Promise<PullRequestInfo>;
  /** The open pull request whose head is `branch` in this repository, if any. */
  findOpenPullRequest(repo: RepoRef, branch: string): Promise<PullRequestInfo | null>;
  createPullRequest(repo: RepoRef, pr: NewPullRequest): Promise<PullRequestInfo>;
  isBranchProtected(repo: RepoRef, branch: string): Promise<boolean>;
  /** A short-lived token for git over HTTPS; null where git needs none (local repositories). */
  gitToken(): Promise<string | null>;
}
