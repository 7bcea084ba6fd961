import { Redactor } from "../safety/redact.js";
import type {
  ChangedFile,
  ClaimedComment,
  ClaimedRepository,
  Comparison,
  Forge,
  NewPullRequest,
  NewReview,
  Permission,
  PostedComment,
  PullRequestInfo,
  Reaction,
  RepoRef,
  Review,
  ReviewComment,
} from "./forge.js";

/**
 * The only way jobs reach a forge. Every text it posts (comments and their edits, pull request
 * titles and bodies, reviews, inline comments, replies) passes the redactor first: the
 * deployment's secrets, the token the forge acts with and every git token it handed out, and
 * well-known credential shapes. Jobs are given a writer, never the adapter inside it, so no job
 * can post around it.
 */
export class ForgeWriter {
  readonly #forge: Forge;
  readonly #redactor: Redactor;
  /** Learned before the first post, even by a job that never asks for git: the text may quote it all the same. */
  #tokenLearned: Promise<unknown> | null = null;

  constructor(forge: Forge, secrets: Iterable<string | null | undefined>) {
    this.#forge = forge;
    this.#redactor = new Redactor(secrets);
  }

  /** The text as it would be posted; for what goes into git instead (a commit message). */
  redact(text: string): string {
    return this.#redactor.redact(text);
  }

  // ── writes: every text is redacted ─────────────────────────────────────────────────

  async createComment(repo: RepoRef, issueNumber: number, body: string): Promise<PostedComment> {
    await this.#learnToken();
    return this.#forge.createComment(repo, issueNumber, this.redact(body));
  }

  async updateComment(repo: RepoRef, commentId: number, body: string): Promise<void> {
    await this.#learnToken();
    return this.#forge.updateComment(repo, commentId, this.redact(body));
  }

  async createReview(repo: RepoRef, number: number, review: NewReview): Promise<number> {
    await this.#learnToken();
    return this.#forge.createReview(repo, number, {
      ...review,
      body: this.redact(review.body),
      comments: review.comments.map((comment) => ({ ...comment, body: this.redact(comment.body) })),
    });
  }

  async replyToReviewComment(repo: RepoRef, number: number, commentId: number, body: string): Promise<PostedComment> {
    await this.#learnToken();
    return this.#forge.replyToReviewComment(repo, number, commentId, this.redact(body));
  }

  async createPullRequest(repo: RepoRef, pr: NewPullRequest): Promise<PullRequestInfo> {
    await this.#learnToken();
    return this.#forge.createPullRequest(repo, { ...pr, title: this.redact(pr.title), body: this.redact(pr.body) });
  }

  addReaction(repo: RepoRef, commentId: number, reaction: Reaction): Promise<void> {
    return this.#forge.addReaction(repo, commentId, reaction);
  }

  /** A token for git; from now on it is redacted from everything this writer posts. */
  async gitToken(): Promise<string | null> {
    const token = await this.#forge.gitToken();
    this.#redactor.add(token);
    return token;
  }

  /** If the token cannot be had, the post goes ahead: it fails or succeeds on its own. */
  #learnToken(): Promise<unknown> {
    this.#tokenLearned ??= this.gitToken().catch(() => null);
    return this.#tokenLearned;
  }

  // ── reads ────────────────────────────────────────────────────────────────────────────

  get configPaths(): readonly string[] {
    return this.#forge.configPaths;
  }

  confirmRepository(repo: ClaimedRepository): Promise<{ readonly cloneUrl: string; readonly defaultBranch: string }> {
    return this.#forge.confirmRepository(repo);
  }

  confirmComment(repo: RepoRef, comment: ClaimedComment): Promise<boolean> {
    return this.#forge.confirmComment(repo, comment);
  }

  fileLink(repo: { readonly cloneUrl: string }, commit: string, path: string, start: number, end: number): string {
    return this.#forge.fileLink(repo, commit, path, start, end);
  }

  getPermission(repo: RepoRef, login: string): Promise<Permission> {
    return this.#forge.getPermission(repo, login);
  }

  getFile(repo: RepoRef, path: string, ref: string): Promise<string | null> {
    return this.#forge.getFile(repo, path, ref);
  }

  getPullRequest(repo: RepoRef, number: number): Promise<PullRequestInfo> {
    return this.#forge.getPullRequest(repo, number);
  }

  listPullRequestFiles(repo: RepoRef, number: number): Promise<ChangedFile[]> {
    return this.#forge.listPullRequestFiles(repo, number);
  }

  compareCommits(repo: RepoRef, base: string, head: string): Promise<Comparison> {
    return this.#forge.compareCommits(repo, base, head);
  }

  listReviews(repo: RepoRef, number: number): Promise<Review[]> {
    return this.#forge.listReviews(repo, number);
  }

  listReviewComments(repo: RepoRef, number: number): Promise<ReviewComment[]> {
    return this.#forge.listReviewComments(repo, number);
  }

  resolvedReviewThreads(repo: RepoRef, number: number): Promise<Set<number>> {
    return this.#forge.resolvedReviewThreads(repo, number);
  }

  findOpenPullRequest(repo: RepoRef, branch: string): Promise<PullRequestInfo | null> {
    return this.#forge.findOpenPullRequest(repo, branch);
  }

  isBranchProtected(repo: RepoRef, branch: string): Promise<boolean> {
    return this.#forge.isBranchProtected(repo, branch);
  }
}
