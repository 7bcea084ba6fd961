import type { ProbotOctokit } from "probot";
import type { Forge, NewPullRequest, Permission, PostedComment, PullRequestInfo, Reaction, RepoRef } from "../forge.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

/** Only owner and repo: Octokit sends any other field as a request parameter. */
const repoParams = (repo: RepoRef) => ({ owner: repo.owner, repo: repo.repo });

const roles: readonly Permission[] = ["admin", "maintain", "write", "triage", "read", "none"];

/** The Forge over GitHub's REST API, authenticated as one App installation. */
export class GitHubForge implements Forge {
  readonly #octokit: Octokit;

  constructor(octokit: Octokit) {
    this.#octokit = octokit;
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

  async findOpenPullRequest(repo: RepoRef, branch: string): Promise<PullRequestInfo | null> {
    const { data } = await this.#octokit.rest.pulls.list({ ...repoParams(repo), head: `${repo.owner}:${branch}`, state: "open", per_page: 1 });
    const first = data[0];
    return first ? toPullRequest(first) : null;
  }

  async createPullRequest(repo: RepoRef, pr: NewPullRequest): Promise<PullRequestInfo> {
    const { data } = await this.#octokit.rest.pulls.create({ ...repoParams(repo), title: pr.title, body: pr.body, head: pr.head, base: pr.base, draft: pr.draft, maintainer_can_modify: true });
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

interface PullLike {
  number: number;
  html_url: string;
  title: string;
  draft?: boolean | undefined;
  state: string;
  head: { ref: string; sha: string; repo: { full_name: string; clone_url: string } | null };
  base: { ref: string; repo: { full_name: string } };
}

function toPullRequest(data: PullLike): PullRequestInfo {
  return {
    number: data.number,
    url: data.html_url,
    title: data.title,
    draft: data.draft ?? false,
    state: data.state === "closed" ? "closed" : "open",
    head: { ref: data.head.ref, sha: data.head.sha, repoFullName: data.head.repo?.full_name ?? null, cloneUrl: data.head.repo?.clone_url ?? null },
    base: { ref: data.base.ref, repoFullName: data.base.repo.full_name },
  };
}
