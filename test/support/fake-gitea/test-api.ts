import type {
  AccessMode,
  CommentRecord,
  FakeGiteaState,
  IssueRecord,
  PullRecord,
  RecordedRequest,
  RepoState,
  ReviewCommentRecord,
  TokenScopes,
} from "./records.js";

export interface FakeGiteaOptions {
  /** The token owner, and so the author of everything the bot writes. Default `coder-bot`. */
  botLogin?: string;
  /** The bot token's scopes; default `all`, as a legacy token has. */
  scopes?: TokenScopes;
  /** Gives the bot `admin` on every repository added (default `write`). */
  botIsRepoAdmin?: boolean;
  /**
   * Makes issue routes need the `repository` category as well as `issue`. Gitea registers them
   * in a `/repos` group of their own that needs only `issue` (routers/api/v1/api.go), so the
   * default is false; turn it on only to model a server that nests the groups.
   */
  issueRoutesNeedRepositoryScope?: boolean;
}

export interface AddRepoOptions {
  owner: string;
  repo: string;
  /** A bare repository: branches, files and diffs are read from it. */
  gitDir: string;
  /** What answers give as `clone_url`, e.g. the test git server's URL. */
  cloneUrl: string;
  defaultBranch?: string;
  permissions?: Record<string, AccessMode>;
  protectedBranches?: string[];
}

export interface AddIssueOptions {
  owner: string;
  repo: string;
  number?: number;
  title: string;
  body: string;
  user?: string;
}

export interface AddCommentOptions {
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
  user?: string;
  /** Give one to match a webhook payload; otherwise one is allocated. */
  id?: number;
}

export interface AddPullRequestOptions {
  owner: string;
  repo: string;
  headRef: string;
  baseRef?: string;
  title: string;
  body?: string;
  user?: string;
  number?: number;
}

export interface AddReviewCommentOptions {
  owner: string;
  repo: string;
  pullNumber: number;
  user: string;
  path: string;
  body: string;
  /** A head-side line; give this or oldPosition. A comment on the same path and line is a reply. */
  newPosition?: number;
  oldPosition?: number;
}

export interface InjectedFailure {
  status: number;
  message?: string;
  /** How many matching requests fail; default 1. */
  times?: number;
}

export interface FakeGitea {
  /** `http://127.0.0.1:<port>`, what GITEA_URL names. */
  url: string;
  /** `url` + `/api/v1` */
  apiBase: string;
  botLogin: string;
  /** A valid API token of the bot. */
  token: string;
  requests: RecordedRequest[];
  /** One line per contract problem, auth failure or fake error: `METHOD /path: problem`. */
  violations: string[];
  /** Valid operations the fake does not serve (answered 404, as a Gitea without them would): `operationId: METHOD /path`. */
  unimplemented: string[];
  state: FakeGiteaState;
  addRepo(options: AddRepoOptions): RepoState;
  /** Issues and pull requests share a repository's numbers, as in Gitea. */
  addIssue(options: AddIssueOptions): IssueRecord;
  /** A person's comment on an issue or pull request. */
  addComment(options: AddCommentOptions): CommentRecord;
  /** Head and base are read from the repository's git directory. */
  addPullRequest(options: AddPullRequestOptions): PullRecord;
  /** A person's review comment, placed by the rules `POST …/reviews` follows; throws where the fake would refuse it. */
  addReviewComment(options: AddReviewCommentOptions): Promise<ReviewCommentRecord>;
  /** Sets `resolver` on that review comment, as "Resolve conversation" does. */
  resolveThread(commentId: number, by?: string): void;
  setPermission(owner: string, repo: string, login: string, permission: AccessMode): void;
  /** Makes the next requests to `operationId` fail with `status`, after authentication. */
  failNext(operationId: string, failure: InjectedFailure): void;
  /** Another valid token, of the bot unless `login` names someone else. */
  issueToken(options?: { scopes?: TokenScopes; login?: string }): string;
  isValidToken(token: string): boolean;
  close(): Promise<void>;
}
