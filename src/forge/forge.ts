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

/** Who wrote something; `isBot` covers GitHub Apps (`…[bot]`) and machine accounts. */
export interface Actor {
  readonly login: string;
  readonly isBot: boolean;
}

export interface PullRequestInfo {
  readonly number: number;
  readonly url: string;
  readonly title: string;
  /** Empty when the author left no description. */
  readonly body: string;
  readonly draft: boolean;
  readonly state: "open" | "closed";
  readonly author: Actor;
  /** `repoFullName` and `cloneUrl` are null when the fork the head came from was deleted. */
  readonly head: { readonly ref: string; readonly sha: string; readonly repoFullName: string | null; readonly cloneUrl: string | null };
  /** `sha` is the base branch's current tip, which moves as the branch does; diffs start at the merge base. */
  readonly base: { readonly ref: string; readonly sha: string; readonly repoFullName: string };
}

export type ChangedFileStatus = "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";

/** One file of a pull request or comparison, as the forge's diff shows it. */
export interface ChangedFile {
  readonly path: string;
  /** The path before a rename or copy; null otherwise. */
  readonly previousPath: string | null;
  readonly status: ChangedFileStatus;
  readonly additions: number;
  readonly deletions: number;
  readonly changes: number;
  /**
   * Unified-diff hunks from the first `@@` on. Null for binary files, pure renames and diffs the
   * forge deems too large: such a file has no line a review comment can anchor to.
   */
  readonly patch: string | null;
  /** The file's blob on the head side; null when only its mode changed. */
  readonly sha: string | null;
}

/**
 * `unavailable` when the forge cannot compare: one end unknown or no longer reachable (the old
 * head after a force push) or no common ancestor. The caller falls back to a full review.
 */
export type Comparison =
  | {
      readonly kind: "compared";
      /** `head` relative to `base`: `ahead` is the fast-forward case of an ordinary push. */
      readonly status: "ahead" | "behind" | "diverged" | "identical";
      readonly aheadBy: number;
      readonly behindBy: number;
      readonly mergeBaseSha: string;
      /** Changes from the merge base to `head`. */
      readonly files: readonly ChangedFile[];
      /** GitHub lists at most 300 files of a comparison and does not say when it stopped: treat a full list as partial. */
      readonly mayBeIncomplete: boolean;
    }
  | { readonly kind: "unavailable"; readonly reason: string };

export type DiffSide = "LEFT" | "RIGHT";

export type ReviewEvent = "COMMENT" | "APPROVE" | "REQUEST_CHANGES";

/**
 * An inline comment. `line` (and `startLine` for a range) must be a line of the diff on `side`:
 * RIGHT for added and context lines by their new number, LEFT for removed and context lines by
 * their old number; a range stays within one hunk. Anything else makes the whole review fail.
 */
export interface NewReviewComment {
  readonly path: string;
  readonly line: number;
  readonly side: DiffSide;
  readonly startLine?: number;
  readonly startSide?: DiffSide;
  readonly body: string;
}

export interface NewReview {
  /** The head the review was prepared against; lines are checked against the diff at this commit. */
  readonly commitId: string;
  readonly event: ReviewEvent;
  readonly body: string;
  readonly comments: readonly NewReviewComment[];
}

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface Review {
  readonly id: number;
  readonly commitId: string | null;
  /** Null when the account was deleted. */
  readonly author: Actor | null;
  readonly body: string;
  readonly state: ReviewState;
  readonly submittedAt: string | null;
}

/**
 * An inline review comment. A reply carries `inReplyToId`, the thread's first comment, so
 * "answered" is visible here; whether a thread was resolved is not (see
 * {@link Forge.resolvedReviewThreads}).
 */
export interface ReviewComment {
  readonly id: number;
  readonly reviewId: number | null;
  readonly path: string;
  /** Null once GitHub considers the comment outdated (its line is no longer in the diff). */
  readonly line: number | null;
  readonly originalLine: number | null;
  readonly startLine: number | null;
  readonly side: DiffSide;
  readonly body: string;
  readonly author: Actor | null;
  readonly inReplyToId: number | null;
  readonly commitId: string;
  readonly originalCommitId: string;
  readonly createdAt: string;
  readonly url: string;
}

export interface NewPullRequest {
  readonly title: string;
  readonly body: string;
  readonly head: string;
  readonly base: string;
  readonly draft: boolean;
}

/** A repository as a delivery named it, to be confirmed with the forge. */
export interface ClaimedRepository extends RepoRef {
  readonly cloneUrl: string;
  readonly defaultBranch: string;
}

/** A comment as a delivery described it, to be confirmed with the forge. */
export interface ClaimedComment {
  readonly id: number;
  readonly author: string;
  readonly issueNumber: number;
  /** The text that gave the command; absent in jobs queued before deliveries carried it. */
  readonly body?: string | undefined;
}

export interface Forge {
  /** Where the repository's `coder.yml` is looked for on the default branch, in order; the first found is read. */
  readonly configPaths: readonly string[];
  /**
   * The repository's clone URL and default branch as the forge itself knows them. Where a
   * delivery could be forged by anyone holding the webhook secret (Gitea's is handed to every
   * repository admin), the forge's API is asked; GitHub's payloads, signed with a secret only the
   * App's owner holds, are taken as they are.
   */
  confirmRepository(repo: ClaimedRepository): Promise<{ readonly cloneUrl: string; readonly defaultBranch: string }>;
  /** Whether the comment exists on that issue, by that author, with that text, as the delivery said. */
  confirmComment(repo: RepoRef, comment: ClaimedComment): Promise<boolean>;
  /** A permanent link to lines of a file at a commit, as this forge's web pages show them. */
  fileLink(repo: { readonly cloneUrl: string }, commit: string, path: string, start: number, end: number): string;
  /** What `login` may do in the repository; throws `PermissionHiddenError` when the forge will not say. */
  getPermission(repo: RepoRef, login: string): Promise<Permission>;
  addReaction(repo: RepoRef, commentId: number, reaction: Reaction): Promise<void>;
  createComment(repo: RepoRef, issueNumber: number, body: string): Promise<PostedComment>;
  updateComment(repo: RepoRef, commentId: number, body: string): Promise<void>;
  /** Text of a file on `ref`, or null when the file does not exist. */
  getFile(repo: RepoRef, path: string, ref: string): Promise<string | null>;
  getPullRequest(repo: RepoRef, number: number): Promise<PullRequestInfo>;
  /** Every file of the pull request's diff (GitHub stops at 3,000), in the forge's order. */
  listPullRequestFiles(repo: RepoRef, number: number): Promise<ChangedFile[]>;
  /** What changed from `base` to `head` (commits or refs); see {@link Comparison} for the fallback case. */
  compareCommits(repo: RepoRef, base: string, head: string): Promise<Comparison>;
  /** Posts one review with its inline comments and returns its id; throws `ReviewRejectedError` when the forge refuses it. */
  createReview(repo: RepoRef, number: number, review: NewReview): Promise<number>;
  listReviews(repo: RepoRef, number: number): Promise<Review[]>;
  /** Every inline comment of the pull request, replies included, oldest first. */
  listReviewComments(repo: RepoRef, number: number): Promise<ReviewComment[]>;
  /**
   * The ids of the first comments of the pull request's resolved review threads. Only GitHub's
   * GraphQL API knows which threads were resolved.
   */
  resolvedReviewThreads(repo: RepoRef, number: number): Promise<Set<number>>;
  /** Answers in the thread of `commentId` (GitHub threads replies under the thread's first comment). */
  replyToReviewComment(repo: RepoRef, number: number, commentId: number, body: string): Promise<PostedComment>;
  /** The open pull request whose head is `branch` in this repository, if any. */
  findOpenPullRequest(repo: RepoRef, branch: string): Promise<PullRequestInfo | null>;
  createPullRequest(repo: RepoRef, pr: NewPullRequest): Promise<PullRequestInfo>;
  isBranchProtected(repo: RepoRef, branch: string): Promise<boolean>;
  /** A short-lived token for git over HTTPS; null where git needs none (local repositories). */
  gitToken(): Promise<string | null>;
}
