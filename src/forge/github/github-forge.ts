import type { ProbotOctokit } from "probot";
import {
  type Actor,
  type ChangedFile,
  type ClaimedRepository,
  type ChangedFileStatus,
  type Comparison,
  type Forge,
  type NewPullRequest,
  type NewReview,
  type Permission,
  type PostedComment,
  type PullRequestInfo,
  type Reaction,
  type RepoRef,
  type Review,
  type ReviewComment,
  type ReviewState,
} from "../forge.js";
import { REPO_CONFIG_PATH } from "../../config/repo-config.js";
import { ReviewRejectedError } from "../review-rejected-error.js";
import { encodePath, webUrlOf } from "../web-url.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

/** Only owner and repo: Octokit sends any other field as a request parameter. */
const repoParams = (repo: RepoRef) => ({ owner: repo.owner, repo: repo.repo });

const roles: readonly Permission[] = ["admin", "maintain", "write", "triage", "read", "none"];

const REVIEW_THREADS_QUERY = `query ($owner: String!, $name: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes { isResolved comments(first: 1) { nodes { url } } }
      }
    }
  }
}`;

interface ReviewThreadsPage {
  repository: {
    pullRequest: {
      reviewThreads: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: Array<{ isResolved: boolean; comments: { nodes: Array<{ url: string } | null> | null } } | null> | null;
      };
    } | null;
  } | null;
}

/** The Forge over GitHub's REST API (GraphQL only for resolved threads, which REST cannot tell), as one App installation. */
export class GitHubForge implements Forge {
  readonly configPaths = [REPO_CONFIG_PATH];
  readonly #octokit: Octokit;

  constructor(octokit: Octokit) {
    this.#octokit = octokit;
  }

  /** GitHub signs deliveries with a secret only the App's owner holds: the payload is what GitHub sent. */
  confirmRepository(repo: ClaimedRepository): Promise<{ readonly cloneUrl: string; readonly defaultBranch: string }> {
    return Promise.resolve({ cloneUrl: repo.cloneUrl, defaultBranch: repo.defaultBranch });
  }

  confirmComment(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** `…/blob/<sha>/<path>#L3-L6`, GitHub's permanent link to lines. */
  fileLink(repo: { readonly cloneUrl: string }, commit: string, path: string, start: number, end: number): string {
    return `${webUrlOf(repo.cloneUrl)}/blob/${commit}/${encodePath(path)}#L${start}${end > start ? `-L${end}` : ""}`;
  }

  async getPermission(repo: RepoRef, login: string): Promise<Permission> {
    try {
      const { data } = await this.#octokit.rest.repos.getCollaboratorPermissionLevel({ ...repoParams(repo), username: login });
      // role_name tells maintain from write and triage from read; permission alone does not.
      const role = (data as { role_name?: string }).role_name;
      if (role && (roles as readonly string[]).includes(role)) return role as Permission;
      return (roles as readonly string[]).includes(data.permission) ? (data.permission as Permission) : "none";
    } catch (error) {
      if ((error as { status?: number }).status === 404) return "none";
      throw error;
    }
  }

  async addReaction(repo: RepoRef, commentId: number, reaction: Reaction): Promise<void> {
    await this.#octokit.rest.reactions.createForIssueComment({ ...repoParams(repo), comment_id: commentId, content: reaction });
  }

  async createComment(repo: RepoRef, issueNumber: number, body: string): Promise<PostedComment> {
    const { data } = await this.#octokit.rest.issues.createComment({ ...repoParams(repo), issue_number: issueNumber, body });
    return { id: data.id, url: data.html_url };
  }

  async updateComment(repo: RepoRef, commentId: number, body: string): Promise<void> {
    await this.#octokit.rest.issues.updateComment({ ...repoParams(repo), comment_id: commentId, body });
  }

  async getFile(repo: RepoRef, path: string, ref: string): Promise<string | null> {
    try {
      const { data } = await this.#octokit.rest.repos.getContent({ ...repoParams(repo), path, ref });
      if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return null;
      return Buffer.from(data.content, "base64").toString("utf8");
    } catch (error) {
      if ((error as { status?: number }).status === 404) return null;
      throw error;
    }
  }

  async getPullRequest(repo: RepoRef, number: number): Promise<PullRequestInfo> {
    const { data } = await this.#octokit.rest.pulls.get({ ...repoParams(repo), pull_number: number });
    return toPullRequest(data);
  }

  async listPullRequestFiles(repo: RepoRef, number: number): Promise<ChangedFile[]> {
    const files = await this.#octokit.paginate(this.#octokit.rest.pulls.listFiles, {
      ...repoParams(repo),
      pull_number: number,
      per_page: 100,
    });
    return files.map(toChangedFile);
  }

  async compareCommits(repo: RepoRef, base: string, head: string): Promise<Comparison> {
    try {
      // No paging parameters: GitHub then sends every file (up to 300) with the one response.
      const { data } = await this.#octokit.rest.repos.compareCommitsWithBasehead({ ...repoParams(repo), basehead: `${base}...${head}` });
      return {
        kind: "compared",
        status: data.status,
        aheadBy: data.ahead_by,
        behindBy: data.behind_by,
        mergeBaseSha: data.merge_base_commit.sha,
        files: (data.files ?? []).map(toChangedFile),
        mayBeIncomplete: (data.files ?? []).length >= COMPARE_FILE_LIMIT,
      };
    } catch (error) {
      // 404 covers an unknown commit, one no ref reaches after a force push, and unrelated histories.
      if (statusOf(error) !== 404) throw error;
      return { kind: "unavailable", reason: `cannot compare ${base}...${head}: ${messageOf(error) || "Not Found"}` };
    }
  }

  async createReview(repo: RepoRef, number: number, review: NewReview): Promise<number> {
    const comments = review.comments.map((comment) => ({
      path: comment.path,
      line: comment.line,
      side: comment.side,
      body: comment.body,
      ...(comment.startLine !== undefined ? { start_line: comment.startLine, start_side: comment.startSide ?? comment.side } : {}),
    }));
    try {
      const { data } = await this.#octokit.rest.pulls.createReview({
        ...repoParams(repo),
        pull_number: number,
        commit_id: review.commitId,
        event: review.event,
        body: review.body,
        comments,
      });
      return data.id;
    } catch (error) {
      const status = statusOf(error);
      if (status !== 422) throw error;
      throw new ReviewRejectedError({ status, errors: errorsOf(error), cause: error });
    }
  }

  async listReviews(repo: RepoRef, number: number): Promise<Review[]> {
    const reviews = await this.#octokit.paginate(this.#octokit.rest.pulls.listReviews, {
      ...repoParams(repo),
      pull_number: number,
      per_page: 100,
    });
    return reviews.map((review) => ({
      id: review.id,
      commitId: review.commit_id,
      author: review.user ? toActor(review.user) : null,
      body: review.body,
      state: (reviewStates as readonly string[]).includes(review.state) ? (review.state as ReviewState) : "COMMENTED",
      submittedAt: review.submitted_at ?? null,
    }));
  }

  async listReviewComments(repo: RepoRef, number: number): Promise<ReviewComment[]> {
    const comments = await this.#octokit.paginate(this.#octokit.rest.pulls.listReviewComments, {
      ...repoParams(repo),
      pull_number: number,
      sort: "created",
      direction: "asc",
      per_page: 100,
    });
    return comments.map((comment) => ({
      id: comment.id,
      reviewId: comment.pull_request_review_id,
      path: comment.path,
      // GitHub sends null (despite its schema) for both once a comment is outdated.
      line: comment.line ?? null,
      originalLine: comment.original_line ?? null,
      startLine: comment.start_line ?? null,
      side: comment.side === "LEFT" ? "LEFT" : "RIGHT",
      body: comment.body,
      author: comment.user ? toActor(comment.user) : null,
      inReplyToId: comment.in_reply_to_id ?? null,
      commitId: comment.commit_id,
      originalCommitId: comment.original_commit_id,
      createdAt: comment.created_at,
      url: comment.html_url,
    }));
  }

  async resolvedReviewThreads(repo: RepoRef, number: number): Promise<Set<number>> {
    const resolved = new Set<number>();
    let cursor: string | null = null;
    // A thread's first comment is enough to match it with the REST comments; 100 threads a page.
    do {
      const page: ReviewThreadsPage = await this.#octokit.graphql<ReviewThreadsPage>(REVIEW_THREADS_QUERY, {
        owner: repo.owner,
        name: repo.repo,
        number,
        cursor,
      });
      const threads = page.repository?.pullRequest?.reviewThreads;
      if (!threads) break;
      for (const thread of threads.nodes ?? []) {
        // The REST id from the comment's URL (`…#discussion_r<id>`): GraphQL's global ids come in two
        // formats across GitHub versions, and its integer id overflows on today's comment ids.
        const id = Number(/#discussion_r(\d+)$/.exec(thread?.comments.nodes?.[0]?.url ?? "")?.[1] ?? NaN);
        if (thread?.isResolved && Number.isSafeInteger(id)) resolved.add(id);
      }
      cursor = threads.pageInfo.hasNextPage ? threads.pageInfo.endCursor : null;
    } while (cursor);
    return resolved;
  }

  async replyToReviewComment(repo: RepoRef, number: number, commentId: number, body: string): Promise<PostedComment> {
    const { data } = await this.#octokit.rest.pulls.createReplyForReviewComment({
      ...repoParams(repo),
      pull_number: number,
      comment_id: commentId,
      body,
    });
    return { id: data.id, url: data.html_url };
  }

  async findOpenPullRequest(repo: RepoRef, branch: string): Promise<PullRequestInfo | null> {
    const { data } = await this.#octokit.rest.pulls.list({
      ...repoParams(repo),
      head: `${repo.owner}:${branch}`,
      state: "open",
      per_page: 1,
    });
    const first = data[0];
    return first ? toPullRequest(first) : null;
  }

  async createPullRequest(repo: RepoRef, pr: NewPullRequest): Promise<PullRequestInfo> {
    const { data } = await this.#octokit.rest.pulls.create({
      ...repoParams(repo),
      title: pr.title,
      body: pr.body,
      head: pr.head,
      base: pr.base,
      draft: pr.draft,
      maintainer_can_modify: true,
    });
    return toPullRequest(data);
  }

  async isBranchProtected(repo: RepoRef, branch: string): Promise<boolean> {
    try {
      const { data } = await this.#octokit.rest.repos.getBranch({ ...repoParams(repo), branch });
      return data.protected;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return false;
      throw error;
    }
  }

  async gitToken(): Promise<string | null> {
    const auth = (await this.#octokit.auth({ type: "installation" })) as { token?: string };
    if (!auth.token) throw new Error("the App installation did not return a token");
    return auth.token;
  }
}

const COMPARE_FILE_LIMIT = 300;
const reviewStates: readonly ReviewState[] = ["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"];
const fileStatuses: readonly ChangedFileStatus[] = ["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"];

interface UserLike {
  login: string;
  type?: string | undefined;
}

interface PullLike {
  number: number;
  html_url: string;
  title: string;
  body: string | null;
  draft?: boolean | undefined;
  state: string;
  user: UserLike | null;
  head: { ref: string; sha: string; repo: { full_name: string; clone_url: string } | null };
  base: { ref: string; sha: string; repo: { full_name: string } };
}

interface DiffEntryLike {
  filename: string;
  previous_filename?: string | undefined;
  status: string;
  additions: number;
  deletions: number;
  changes: number;
  patch?: string | undefined;
  sha: string | null;
}

function toActor(user: UserLike): Actor {
  return { login: user.login, isBot: user.type === "Bot" || user.login.endsWith("[bot]") };
}

function toPullRequest(data: PullLike): PullRequestInfo {
  return {
    number: data.number,
    url: data.html_url,
    title: data.title,
    body: data.body ?? "",
    draft: data.draft ?? false,
    state: data.state === "closed" ? "closed" : "open",
    // A deleted account shows as GitHub's "ghost" user; null only appears in odd API corners.
    author: data.user ? toActor(data.user) : { login: "ghost", isBot: false },
    head: {
      ref: data.head.ref,
      sha: data.head.sha,
      repoFullName: data.head.repo?.full_name ?? null,
      cloneUrl: data.head.repo?.clone_url ?? null,
    },
    base: { ref: data.base.ref, sha: data.base.sha, repoFullName: data.base.repo.full_name },
  };
}

function toChangedFile(file: DiffEntryLike): ChangedFile {
  return {
    path: file.filename,
    previousPath: file.previous_filename ?? null,
    status: (fileStatuses as readonly string[]).includes(file.status) ? (file.status as ChangedFileStatus) : "modified",
    additions: file.additions,
    deletions: file.deletions,
    changes: file.changes,
    patch: file.patch ?? null,
    sha: file.sha ?? null,
  };
}

function statusOf(error: unknown): number | undefined {
  return (error as { status?: number }).status;
}

function messageOf(error: unknown): string {
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  return typeof data?.message === "string" ? data.message : "";
}

/** GitHub's `errors` are strings on review endpoints and `{ message }` objects elsewhere. */
function errorsOf(error: unknown): string[] {
  const data = (error as { response?: { data?: { errors?: unknown; message?: unknown } } }).response?.data;
  const errors = Array.isArray(data?.errors) ? data.errors : [];
  const texts = errors.map((entry: unknown) =>
    typeof entry === "string"
      ? entry
      : typeof (entry as { message?: unknown })?.message === "string"
        ? (entry as { message: string }).message
        : JSON.stringify(entry),
  );
  return texts.length > 0 ? texts : typeof data?.message === "string" ? [data.message] : [];
}
