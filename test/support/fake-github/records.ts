export type RepoPermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export interface RepoState {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  gitDir: string | undefined;
  cloneUrl: string;
  installationId: number;
  permissions: Map<string, RepoPermission>;
  protectedBranches: Set<string>;
  /** Files set with setFile; they win over gitDir, whatever the ref. */
  files: Map<string, Buffer>;
  /** Branch heads for repositories without gitDir. */
  branches: Map<string, string>;
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

export interface PullRecord {
  id: number;
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  draft: boolean;
  state: "open" | "closed";
  headRef: string;
  /** The head as last known; GET reads the branch again when the head repository has a gitDir. */
  headSha: string;
  headRepoFullName: string;
  headCloneUrl: string;
  baseRef: string;
  user: string;
  maintainerCanModify: boolean;
  createdAt: string;
  updatedAt: string;
}

export type ReviewState = "PENDING" | "COMMENTED" | "APPROVED" | "CHANGES_REQUESTED";

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
  submittedAt: string | null;
  createdAt: string;
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
  line: number;
  side: "LEFT" | "RIGHT";
  startLine: number | null;
  startSide: "LEFT" | "RIGHT" | null;
  position: number;
  diffHunk: string;
  commitId: string;
  originalCommitId: string;
  /** The thread's first comment, for a reply. */
  inReplyToId: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface TokenRecord {
  token: string;
  installationId: number;
  expiresAt: string;
  permissions: Record<string, string>;
}

export interface RecordedRequest {
  method: string;
  /** Path without the /api/v3 prefix and without the query string, percent-encoding intact. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
  timestamp: number;
  operationId: string | null;
  /** Filled in once answered. */
  status: number | undefined;
}

export interface FakeGitHubState {
  tokens: TokenRecord[];
  repos: Map<string, RepoState>;
  issues: IssueRecord[];
  comments: CommentRecord[];
  reactions: ReactionRecord[];
  pulls: PullRecord[];
  reviews: ReviewRecord[];
  reviewComments: ReviewCommentRecord[];
  /** Ids of the first comments of resolved threads. */
  resolvedThreads: Set<number>;
}
