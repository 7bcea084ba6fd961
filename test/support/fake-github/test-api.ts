import type {
  CommentRecord,
  FakeGitHubState,
  IssueRecord,
  PullRecord,
  RecordedRequest,
  RepoPermission,
  RepoState,
  ReviewCommentRecord,
  TokenRecord,
} from "./records.js";

export interface FakeGitHubOptions {
  appId?: number;
  appSlug?: string;
  /** Login of the account that owns the app. */
  appOwner?: string;
  /** Installation id for repositories that do not name one. */
  installationId?: number;
  /** Reject requests without a JWT (app routes) or an issued installation token (other routes). Default true. */
  checkAuth?: boolean;
  /** `permissions` reported for issued installation tokens, unless the request narrows them. */
  tokenPermissions?: Record<string, string>;
  /** Makes each installation token's value (GitHub's are `ghs_` and 36 characters), so a test can know it in advance. */
  tokenFactory?: () => string;
}

export interface AddRepoOptions {
  owner: string;
  repo: string;
  defaultBranch?: string;
  /** A bare repository; branches, commits and file contents are read from it. */
  gitDir?: string;
  /** Defaults to a file:// URL of gitDir, or a URL on the fake (which serves no git) without one. */
  cloneUrl?: string;
  permissions?: Record<string, RepoPermission>;
  protectedBranches?: string[];
  installationId?: number;
}

export interface AddIssueOptions {
  owner: string;
  repo: string;
  number?: number;
  title?: string;
  body?: string;
  user?: string;
  state?: "open" | "closed";
}

export interface AddCommentOptions {
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
  /** Give one to match a webhook payload; otherwise one is allocated from 9_000_000 up. */
  id?: number;
  user?: string;
}

export interface AddPullRequestOptions {
  owner: string;
  repo: string;
  number?: number;
  headRef: string;
  /** Required unless the head repository has a gitDir holding headRef. */
  headSha?: string;
  headRepoFullName?: string;
  headCloneUrl?: string;
  baseRef?: string;
  title?: string;
  body?: string;
  draft?: boolean;
  user?: string;
  state?: "open" | "closed";
}

export interface AddReviewCommentOptions {
  owner: string;
  repo: string;
  pullNumber: number;
  body: string;
  /** Who wrote it; a person unless said otherwise. */
  user?: string;
  /** Makes it a reply in that comment's thread; path and line then come from the thread. */
  inReplyTo?: number;
  path?: string;
  line?: number;
  side?: "LEFT" | "RIGHT";
  startLine?: number;
  startSide?: "LEFT" | "RIGHT";
}

export interface InjectedFailure {
  status: number;
  message?: string;
  /** How many matching requests fail; default 1. */
  times?: number;
}

export interface FakeGitHub {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>`, for GHE_HOST. */
  host: string;
  /** `http://127.0.0.1:<port>/api/v3` */
  apiBase: string;
  appId: number;
  appSlug: string;
  /** `<slug>[bot]`, the author of everything the app writes. */
  botLogin: string;
  installationId: number;
  requests: RecordedRequest[];
  /** One line per contract problem, auth failure or fake error: `METHOD /path: problem`. */
  violations: string[];
  /** Valid GitHub operations the fake does not serve: `operationId: METHOD /path`. */
  unimplemented: string[];
  state: FakeGitHubState;
  addRepo(options: AddRepoOptions): RepoState;
  addIssue(options: AddIssueOptions): IssueRecord;
  addComment(options: AddCommentOptions): CommentRecord;
  addPullRequest(options: AddPullRequestOptions): PullRecord;
  /**
   * A review comment by someone else (a person answering the bot, say), placed with the same
   * rules as `POST …/reviews`; throws with GitHub's error text when GitHub would refuse it.
   */
  addReviewComment(options: AddReviewCommentOptions): Promise<ReviewCommentRecord>;
  /** Marks the thread of a review comment resolved, as a person does with "Resolve conversation". */
  resolveThread(commentId: number): void;
  setFile(owner: string, repo: string, path: string, content: string | Buffer): void;
  setBranch(owner: string, repo: string, branch: string, sha: string): void;
  setPermission(owner: string, repo: string, login: string, permission: RepoPermission): void;
  /** Makes the next matching requests to `operationId` fail with `status`. */
  failNext(operationId: string, failure: InjectedFailure): void;
  issueToken(installationId?: number): TokenRecord;
  isValidToken(token: string): boolean;
  close(): Promise<void>;
}
