import { GITEA_CONFIG_PATH, REPO_CONFIG_PATH } from "../../config/repo-config.js";
import { runGit } from "../../git/run-git.js";
import type {
  ChangedFile,
  ClaimedRepository,
  Comparison,
  Forge,
  NewPullRequest,
  NewReview,
  Permission,
  PostedComment,
  PullRequestInfo,
  RepoRef,
  Review,
  ReviewComment,
} from "../forge.js";
import { LocalForgeError } from "./local-forge-error.js";

/**
 * The forge of the command line: a git repository on this machine. What a job would post is
 * printed instead; files are read from the repository's commits; its only user owns it. It has no
 * pull requests: a local fix ends on a new branch of the repository.
 */
export class LocalForge implements Forge {
  readonly configPaths = [REPO_CONFIG_PATH, GITEA_CONFIG_PATH];
  readonly #root: string;
  readonly #print: (text: string) => void;
  #nextId = 1;

  constructor(params: { readonly root: string; readonly print: (text: string) => void }) {
    this.#root = params.root;
    this.#print = params.print;
  }

  /** The person at the terminal named the repository; there is nothing to confirm. */
  confirmRepository(repo: ClaimedRepository): Promise<{ readonly cloneUrl: string; readonly defaultBranch: string }> {
    return Promise.resolve({ cloneUrl: repo.cloneUrl, defaultBranch: repo.defaultBranch });
  }

  confirmComment(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** `src/a.ts:3-6`: a terminal has no web page to link to. */
  fileLink(_repo: { readonly cloneUrl: string }, _commit: string, path: string, start: number, end: number): string {
    return `${path}:${start}${end > start ? `-${end}` : ""}`;
  }

  getPermission(): Promise<Permission> {
    return Promise.resolve("admin");
  }

  addReaction(): Promise<void> {
    return Promise.resolve();
  }

  createComment(_repo: RepoRef, _issueNumber: number, body: string): Promise<PostedComment> {
    this.#print(body);
    return Promise.resolve({ id: this.#nextId++, url: "" });
  }

  updateComment(_repo: RepoRef, _commentId: number, body: string): Promise<void> {
    this.#print(body);
    return Promise.resolve();
  }

  async getFile(_repo: RepoRef, path: string, ref: string): Promise<string | null> {
    const shown = await runGit(["show", `${ref}:${path}`], { cwd: this.#root, allowFailure: true });
    return shown.exitCode === 0 ? shown.stdout : null;
  }

  createReview(_repo: RepoRef, _number: number, review: NewReview): Promise<number> {
    for (const comment of review.comments)
      this.#print(`── ${comment.path}:${comment.startLine !== undefined ? `${comment.startLine}-` : ""}${comment.line}\n${comment.body}`);
    this.#print(review.body);
    return Promise.resolve(this.#nextId++);
  }

  replyToReviewComment(_repo: RepoRef, _number: number, _commentId: number, body: string): Promise<PostedComment> {
    this.#print(body);
    return Promise.resolve({ id: this.#nextId++, url: "" });
  }

  listReviews(): Promise<Review[]> {
    return Promise.resolve([]);
  }

  listReviewComments(): Promise<ReviewComment[]> {
    return Promise.resolve([]);
  }

  resolvedReviewThreads(): Promise<Set<number>> {
    return Promise.resolve(new Set());
  }

  findOpenPullRequest(): Promise<PullRequestInfo | null> {
    return Promise.resolve(null);
  }

  /**
   * Every existing branch: the bot only ever adds branches to a repository on this machine, so
   * `coder/task-…` that exists already (even one a fast-forward would reach) makes it pick `…-2`.
   */
  async isBranchProtected(_repo: RepoRef, branch: string): Promise<boolean> {
    const found = await runGit(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], { cwd: this.#root, allowFailure: true });
    return found.exitCode === 0;
  }

  /** Local git needs no token. */
  gitToken(): Promise<string | null> {
    return Promise.resolve(null);
  }

  getPullRequest(_repo: RepoRef, number: number): Promise<PullRequestInfo> {
    return Promise.reject(new LocalForgeError("no-pull-requests", `there is no pull request #${number} in a local repository`));
  }

  listPullRequestFiles(_repo: RepoRef, number: number): Promise<ChangedFile[]> {
    return Promise.reject(new LocalForgeError("no-pull-requests", `there is no pull request #${number} in a local repository`));
  }

  createPullRequest(_repo: RepoRef, pr: NewPullRequest): Promise<PullRequestInfo> {
    return Promise.reject(
      new LocalForgeError("no-pull-requests", `a local repository has no pull requests; the change is on the branch ${pr.head}`),
    );
  }

  compareCommits(_repo: RepoRef, base: string, head: string): Promise<Comparison> {
    return Promise.resolve({
      kind: "unavailable",
      reason: `a local repository is not compared through a forge (${base}...${head}); use git diff`,
    });
  }
}
