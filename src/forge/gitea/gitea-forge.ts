import { GITEA_CONFIG_PATH, REPO_CONFIG_PATH } from "../../config/repo-config.js";
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
} from "../forge.js";
import { PermissionHiddenError } from "../permission-hidden-error.js";
import { ReviewRejectedError } from "../review-rejected-error.js";
import { encodePath, webUrlOf } from "../web-url.js";
import { changedFilesOf } from "./changed-files.js";
import { GiteaApiError } from "./gitea-api-error.js";
import { segment, slashed, type GiteaClient } from "./gitea-client.js";
import { toPullRequest, toReview, toReviewComments } from "./gitea-objects.js";
import { giteaReviewOf } from "./gitea-review.js";
import type {
  GiteaBranch,
  GiteaComment,
  GiteaIssueComment,
  GiteaPermission,
  GiteaPullRequest,
  GiteaRepository,
  GiteaReview,
  GiteaReviewComment,
} from "./gitea-types.js";
import { WIP_PREFIX } from "./work-in-progress.js";

const PAGE = 50;

export interface GiteaForgeOptions {
  readonly client: GiteaClient;
  readonly token: string;
  /** The bot account's login: its own comments, and what it needs when Gitea hides a permission. */
  readonly botLogin: string;
  /** Told when something Gitea cannot do is left out (a reaction it does not allow). */
  readonly onDegraded?: (what: string) => void;
}

/**
 * The Forge over Gitea's (and Forgejo's) REST API, as the bot's own account. Where Gitea differs
 * from GitHub the adapter bridges it: drafts are a `WIP:` title, a pull request's diff comes whole
 * and is split by file, review comments sit on one line (`new_position`/`old_position`) and carry
 * no suggestion blocks, threads are comments on the same line, and resolution is each comment's
 * `resolver`.
 */
export class GiteaForge implements Forge {
  readonly configPaths = [GITEA_CONFIG_PATH, REPO_CONFIG_PATH];
  readonly #client: GiteaClient;
  readonly #token: string;
  readonly #botLogin: string;
  readonly #onDegraded: (what: string) => void;

  constructor(options: GiteaForgeOptions) {
    this.#client = options.client;
    this.#token = options.token;
    this.#botLogin = options.botLogin;
    this.#onDegraded = options.onDegraded ?? (() => undefined);
  }

  /**
   * Every repository admin holds the webhook secret, so anyone of them could sign a delivery that
   * names another repository's clone URL (where git would take the bot's token) or another default
   * branch (where coder.yml would be read): Gitea's own answer is what counts.
   */
  async confirmRepository(repo: ClaimedRepository): Promise<{ readonly cloneUrl: string; readonly defaultBranch: string }> {
    const found = await this.#client.json<GiteaRepository>("GET", base(repo));
    return { cloneUrl: found.clone_url, defaultBranch: found.default_branch };
  }

  /** The comment as Gitea has it: the same author, the same issue, the same text, or the command is not theirs. */
  async confirmComment(repo: RepoRef, claimed: ClaimedComment): Promise<boolean> {
    const comment = await this.#client.maybe<GiteaIssueComment>("GET", `${base(repo)}/issues/comments/${segment(claimed.id)}`);
    if (!comment?.user) return false;
    const issueNumber = Number(/\/(?:issues|pulls)\/(\d+)$/.exec(comment.issue_url || comment.pull_request_url)?.[1] ?? NaN);
    const sameText = claimed.body === undefined || lines(comment.body) === lines(claimed.body);
    return comment.user.login.toLowerCase() === claimed.author.toLowerCase() && issueNumber === claimed.issueNumber && sameText;
  }

  /** `…/src/commit/<sha>/<path>#L3-L6`, Gitea's permanent link to lines. */
  fileLink(repo: { readonly cloneUrl: string }, commit: string, path: string, start: number, end: number): string {
    return `${webUrlOf(repo.cloneUrl)}/src/commit/${commit}/${encodePath(path)}#L${start}${end > start ? `-L${end}` : ""}`;
  }

  async getPermission(repo: RepoRef, login: string): Promise<Permission> {
    try {
      const { permission } = await this.#client.json<GiteaPermission>("GET", `${base(repo)}/collaborators/${segment(login)}/permission`);
      if (permission === "owner") return "admin";
      return (["admin", "write", "read", "none"] as const).find((p) => p === permission) ?? "none";
    } catch (error) {
      if (!(error instanceof GiteaApiError)) throw error;
      if (error.status === 404) return "none";
      if (error.status === 403) {
        throw new PermissionHiddenError(
          login,
          `Gitea shows another user's permission on ${repo.owner}/${repo.repo} only to an administrator of the repository, and the bot account @${this.#botLogin} is not one (make it an admin collaborator of the repository, or of the organization's team that owns it)`,
          error,
        );
      }
      throw error;
    }
  }

  async addReaction(repo: RepoRef, commentId: number, reaction: Reaction): Promise<void> {
    try {
      await this.#client.json("POST", `${base(repo)}/issues/comments/${segment(commentId)}/reactions`, { body: { content: reaction } });
    } catch (error) {
      // A server can restrict the reactions it allows; a reaction is a courtesy, never a failure.
      if (!(error instanceof GiteaApiError) || (error.status !== 403 && error.status !== 422)) throw error;
      this.#onDegraded(`the ${reaction} reaction was refused (${error.detail || error.status}); going on without it`);
    }
  }

  async createComment(repo: RepoRef, issueNumber: number, body: string): Promise<PostedComment> {
    const comment = await this.#client.json<GiteaComment>("POST", `${base(repo)}/issues/${segment(issueNumber)}/comments`, {
      body: { body },
    });
    return { id: comment.id, url: comment.html_url };
  }

  async updateComment(repo: RepoRef, commentId: number, body: string): Promise<void> {
    await this.#client.json("PATCH", `${base(repo)}/issues/comments/${segment(commentId)}`, { body: { body } });
  }

  async getFile(repo: RepoRef, path: string, ref: string): Promise<string | null> {
    try {
      return await this.#client.text("GET", `${base(repo)}/raw/${slashed(path)}`, { query: { ref } });
    } catch (error) {
      if (error instanceof GiteaApiError && error.status === 404) return null;
      throw error;
    }
  }

  async getPullRequest(repo: RepoRef, number: number): Promise<PullRequestInfo> {
    return toPullRequest(await this.#client.json<GiteaPullRequest>("GET", `${base(repo)}/pulls/${segment(number)}`), this.#botLogin);
  }

  /** Gitea's file list has no patches: the pull request's whole diff is read and split by file. */
  async listPullRequestFiles(repo: RepoRef, number: number): Promise<ChangedFile[]> {
    return changedFilesOf(await this.#client.text("GET", `${base(repo)}/pulls/${segment(number)}.diff`));
  }

  /** Gitea's API compares commits without their diff, so a review after a push reads the whole pull request again. */
  compareCommits(_repo: RepoRef, baseSha: string, headSha: string): Promise<Comparison> {
    return Promise.resolve({
      kind: "unavailable",
      reason: `Gitea's API has no diff between ${baseSha.slice(0, 7)} and ${headSha.slice(0, 7)}`,
    });
  }

  /**
   * Gitea creates a review's comments one by one as a pending review and submits it at the end; a
   * failure in between leaves that pending review, which the next attempt would submit with its
   * own comments doubled. So any pending review of the bot's goes first.
   */
  async createReview(repo: RepoRef, number: number, review: NewReview): Promise<number> {
    for (const pending of (await this.#reviews(repo, number)).filter(
      (r) => r.state === "PENDING" && r.user?.login.toLowerCase() === this.#botLogin.toLowerCase(),
    )) {
      await this.#client.json("DELETE", `${base(repo)}/pulls/${segment(number)}/reviews/${segment(pending.id)}`);
    }
    try {
      const created = await this.#client.json<GiteaReview>("POST", `${base(repo)}/pulls/${segment(number)}/reviews`, {
        body: giteaReviewOf(review),
      });
      return created.id;
    } catch (error) {
      if (!(error instanceof GiteaApiError)) throw error;
      // Gitea answers a comment it cannot place with a 500 of its own making, not a 422: with inline
      // comments, a 500 is taken as that, and the review goes out again with them in its summary.
      const placement = error.status === 500 && review.comments.length > 0;
      if (error.status !== 422 && error.status !== 400 && !placement) throw error;
      const reason = placement || /position|line|diff/i.test(error.detail) ? "unresolved-position" : "other";
      throw new ReviewRejectedError({ status: error.status, errors: [error.detail], reason, cause: error });
    }
  }

  async listReviews(repo: RepoRef, number: number): Promise<Review[]> {
    return (await this.#reviews(repo, number)).map((review) => toReview(review, this.#botLogin));
  }

  async listReviewComments(repo: RepoRef, number: number): Promise<ReviewComment[]> {
    return toReviewComments(await this.#reviewComments(repo, number), this.#botLogin);
  }

  /** Gitea records who resolved each conversation on its comments: no second API is needed, as on GitHub. */
  async resolvedReviewThreads(repo: RepoRef, number: number): Promise<Set<number>> {
    const raw = await this.#reviewComments(repo, number);
    const comments = toReviewComments(raw, this.#botLogin);
    const resolved = new Set<number>();
    for (const [i, comment] of comments.entries()) {
      if (raw[i]?.resolver) resolved.add(comment.inReplyToId ?? comment.id);
    }
    return resolved;
  }

  /** Gitea has no reply to a review comment: a comment on the same line joins its conversation. */
  async replyToReviewComment(repo: RepoRef, number: number, commentId: number, body: string): Promise<PostedComment> {
    const original = (await this.#reviewComments(repo, number)).find((c) => c.id === commentId);
    if (!original)
      throw new GiteaApiError({
        status: 404,
        operation: `review comment ${commentId}`,
        detail: "no such review comment on the pull request",
      });
    const review = await this.#client.json<GiteaReview>("POST", `${base(repo)}/pulls/${segment(number)}/reviews`, {
      body: {
        body: "",
        event: "COMMENT",
        commit_id: original.commit_id,
        comments: [{ path: original.path, body, new_position: original.position, old_position: original.original_position }],
      },
    });
    const [posted] = await this.#client.json<GiteaReviewComment[]>(
      "GET",
      `${base(repo)}/pulls/${segment(number)}/reviews/${segment(review.id)}/comments`,
    );
    return { id: posted?.id ?? review.id, url: posted?.html_url ?? "" };
  }

  async findOpenPullRequest(repo: RepoRef, branch: string): Promise<PullRequestInfo | null> {
    const full = `${repo.owner}/${repo.repo}`.toLowerCase();
    for (let page = 1; ; page++) {
      const pulls =
        (await this.#client.json<GiteaPullRequest[] | null>("GET", `${base(repo)}/pulls`, {
          query: { state: "open", page, limit: PAGE },
        })) ?? [];
      const found = pulls.find((p) => p.head.ref === branch && p.head.repo?.full_name.toLowerCase() === full);
      if (found) return toPullRequest(found, this.#botLogin);
      // A server may answer fewer than asked per page (MAX_RESPONSE_ITEMS): only an empty page ends it.
      if (pulls.length === 0) return null;
    }
  }

  /** A draft is a `WIP:` title on Gitea, and only a draft has one (an issue titled `WIP: …` would make one). */
  async createPullRequest(repo: RepoRef, pr: NewPullRequest): Promise<PullRequestInfo> {
    const bare = pr.title.replace(WIP_PREFIX, "").trimStart() || pr.title;
    const title = pr.draft ? `WIP: ${bare}` : bare;
    const created = await this.#client.json<GiteaPullRequest>("POST", `${base(repo)}/pulls`, {
      body: { title, body: pr.body, head: pr.head, base: pr.base },
    });
    return toPullRequest(created, this.#botLogin);
  }

  async isBranchProtected(repo: RepoRef, branch: string): Promise<boolean> {
    const found = await this.#client.maybe<GiteaBranch>("GET", `${base(repo)}/branches/${slashed(branch)}`);
    return found?.protected ?? false;
  }

  /** The bot account's token: git sends it in an Authorization header for one command. */
  gitToken(): Promise<string | null> {
    return Promise.resolve(this.#token);
  }

  async #reviews(repo: RepoRef, number: number): Promise<GiteaReview[]> {
    const all: GiteaReview[] = [];
    for (let page = 1; ; page++) {
      const reviews =
        (await this.#client.json<GiteaReview[] | null>("GET", `${base(repo)}/pulls/${segment(number)}/reviews`, {
          query: { page, limit: PAGE },
        })) ?? [];
      all.push(...reviews);
      if (reviews.length === 0) return all;
    }
  }

  /** Every review comment of the pull request, oldest first. */
  async #reviewComments(repo: RepoRef, number: number): Promise<GiteaReviewComment[]> {
    const comments: GiteaReviewComment[] = [];
    for (const review of await this.#reviews(repo, number)) {
      const page = await this.#client.json<GiteaReviewComment[] | null>(
        "GET",
        `${base(repo)}/pulls/${segment(number)}/reviews/${segment(review.id)}/comments`,
      );
      comments.push(...(page ?? []));
    }
    return comments.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
  }
}

/** Text compared as a person wrote it: line endings as the browser sent them do not count. */
function lines(text: string): string {
  return text.replace(/\r\n?/g, "\n").trim();
}

function base(repo: RepoRef): string {
  return `/repos/${segment(repo.owner)}/${segment(repo.repo)}`;
}
