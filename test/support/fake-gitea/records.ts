/** Gitea's access modes, as `repoGetRepoPermissions` names them. */
export type AccessMode = "none" | "read" | "write" | "admin" | "owner";

/** A token's scopes: Gitea's `read:<category>`/`write:<category>` list, or `all` as legacy tokens have. */
export type TokenScopes = string[] | "all";

export interface UserRecord {
  id: number;
  login: string;
  fullName: string;
  email: string;
  /** A site administrator sees every permission and may do anything; flip it in a test that needs one. */
  isAdmin: boolean;
  createdAt: string;
}

export interface TokenRecord {
  /** 40 lowercase hex digits, as Gitea's access tokens are. */
  token: string;
  login: string;
  scopes: TokenScopes;
  createdAt: string;
}

export interface RepoState {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  /** The bare repository branches, files and diffs are read from. */
  gitDir: string;
  cloneUrl: string;
  /** By lowercased login. The owner is `owner` without an entry; anyone else may read a public repository. */
  permissions: Map<string, AccessMode>;
  protectedBranches: Set<string>;
  createdAt: string;
}

export interface IssueRecord {
  id: number;
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  user: string;
  state: "open" | "closed";
  createdAt: string;
  updatedAt: string;
}

export interface CommentRecord {
  id: number;
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
  user: string;
  /** Every body the comment has had, oldest first; the last one equals `body`. */
  history: string[];
  createdAt: string;
  updatedAt: string;
}

export interface ReactionRecord {
  id: number;
  owner: string;
  repo: string;
  commentId: number;
  content: string;
  user: string;
  createdAt: string;
}

/** A pull request; in Gitea it is also an issue, which has an id of its own. */
export interface PullRecord {
  id: number;
  issueId: number;
  owner: string;
  repo: string;
  number: number;
  /** A `WIP:` (or `[WIP]`) prefix is how Gitea marks a draft. */
  title: string;
  body: string;
  user: string;
  state: "open" | "closed";
  headRef: string;
  /** The head when opened; answers read the branch again, so a push is seen. */
  headSha: string;
  baseRef: string;
  createdAt: string;
  updatedAt: string;
}

export type ReviewState = "PENDING" | "APPROVED" | "COMMENT" | "REQUEST_CHANGES";

export interface ReviewRecord {
  id: number;
  owner: string;
  repo: string;
  pullNumber: number;
  user: string;
  body: string;
  state: ReviewState;
  /** The commit the review was made on; its comments were checked against that commit's diff. */
  commitId: string;
  /** The timeline comment Gitea adds for a submitted review; its `html_url` points there. */
  timelineCommentId: number;
  submittedAt: string;
  updatedAt: string;
}

export interface ReviewCommentRecord {
  id: number;
  owner: string;
  repo: string;
  pullNumber: number;
  reviewId: number;
  user: string;
  body: string;
  path: string;
  /** Line on the head side, or 0 for a comment on the base side. */
  newPosition: number;
  /** Line on the base side, or 0 for a comment on the head side. */
  oldPosition: number;
  commitId: string;
  diffHunk: string;
  /** Who resolved the conversation, as "Resolve conversation" records it; null while open. */
  resolver: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RecordedRequest {
  method: string;
  /** Without `/api/v1` and without the query string, percent-encoding intact. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
  timestamp: number;
  operationId: string | null;
  /** Filled in once answered. */
  status: number | undefined;
}

export interface FakeGiteaState {
  users: Map<string, UserRecord>;
  tokens: TokenRecord[];
  repos: Map<string, RepoState>;
  issues: IssueRecord[];
  comments: CommentRecord[];
  reactions: ReactionRecord[];
  pulls: PullRecord[];
  reviews: ReviewRecord[];
  reviewComments: ReviewCommentRecord[];
}
