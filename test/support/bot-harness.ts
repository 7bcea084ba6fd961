import {
  makeRsaKey,
  startFakeGitHub,
  type FakeGitHub,
  type FakeGitHubOptions,
  type PullRecord,
  type RepoPermission,
  type ReviewCommentRecord,
  type ReviewRecord,
} from "./fake-github.js";
import { pushFiles, seedRepo, startGitServer } from "./git-server.js";
import {
  FULL_NAME,
  HarnessBase,
  OWNER,
  REPO,
  SECRET,
  type CommentInput,
  type CommitSpec,
  type Delivery,
  type ForgeComment,
  type ForgePull,
  type ForgeReaction,
  type HarnessOptionsBase,
  type OpenPullRequestOptions,
  type PushOptions,
} from "./harness-base.js";
import { startScriptedOllama, type ScriptedTurn } from "./scripted-ollama.js";
import { deliver, makeIssueCommentEvent, makePullRequestEvent, makePushEvent, type IssueCommentOverrides } from "./webhooks.js";

export { FULL_NAME, OWNER, REPO, SECRET };
export type { CommitSpec, OpenPullRequestOptions, PushOptions };

export interface PullRequestDelivery extends Delivery {
  readonly deliveryId: string;
  readonly number: number;
  /** The head the delivery names, read from the git server. */
  readonly head: string;
}

export interface HarnessOptions extends HarnessOptionsBase {
  readonly script: ScriptedTurn[];
  readonly files: Record<string, string>;
  readonly permissions?: Record<string, RepoPermission>;
  readonly github?: FakeGitHubOptions;
}

/**
 * Everything the bot talks to on GitHub, real where it can be: a git server over HTTP, GitHub's API
 * at the HTTP boundary (checked against its OpenAPI description), and a scripted model behind
 * Ollama's real protocol.
 */
export class Harness extends HarnessBase {
  readonly forgeName = "github";
  github!: FakeGitHub;
  #commentIds = 5_000_000;

  static async start(options: HarnessOptions): Promise<Harness> {
    const h = new Harness();
    h.github = await startFakeGitHub(options.github);
    h.git = await startGitServer({ requireToken: (token) => h.github.isValidToken(token) });
    h.ollama = await startScriptedOllama({ script: options.script });
    h.baseSha = await seedRepo(h.git, FULL_NAME, options.files, { token: h.github.issueToken().token, message: "Initial commit" });
    h.github.addRepo({
      owner: OWNER,
      repo: REPO,
      gitDir: h.git.repoPath(FULL_NAME),
      cloneUrl: h.git.cloneUrl(FULL_NAME),
      permissions: { alice: "write", mallory: "read", ...options.permissions },
    });
    h.github.addIssue({
      owner: OWNER,
      repo: REPO,
      number: 12,
      title: "add() returns the wrong result",
      body: "`add(2, 3)` gives -1 instead of 5.",
    });
    h.env = await h.baseEnv(
      { APP_ID: String(h.github.appId), PRIVATE_KEY: makeRsaKey(), WEBHOOK_SECRET: SECRET, GHE_HOST: h.github.host, GHE_PROTOCOL: "http" },
      options,
    );
    return h;
  }

  get botLogin(): string {
    return this.github.botLogin;
  }

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.env.PORT}/api/github/webhooks`;
  }

  /**
   * Registers a comment with the fake and delivers its signed `issue_comment.created` webhook. A
   * login that ends in `[bot]` comments as a bot, as GitHub shows Apps.
   */
  async comment(
    overrides: CommentInput & Partial<IssueCommentOverrides>,
    options: { deliveryId?: string; signature?: string | null } = {},
  ): Promise<Delivery & { commentId: number; deliveryId: string }> {
    const commentId = overrides.commentId ?? ++this.#commentIds;
    const issueNumber = overrides.issueNumber ?? 12;
    if (!this.github.state.comments.some((c) => c.id === commentId)) {
      this.github.addComment({
        owner: OWNER,
        repo: REPO,
        issueNumber,
        body: overrides.body,
        id: commentId,
        user: overrides.login ?? "alice",
      });
    }
    const payload = makeIssueCommentEvent({
      cloneUrl: this.git.cloneUrl(FULL_NAME),
      installationId: this.github.installationId,
      ...(overrides.login?.endsWith("[bot]") ? { userType: "Bot" as const } : {}),
      ...overrides,
      commentId,
      issueNumber,
    });
    const deliveryId = options.deliveryId ?? this.nextDeliveryId();
    const result = await deliver(this.webhookUrl, "issue_comment", payload, {
      secret: SECRET,
      deliveryId,
      ...(options.signature !== undefined ? { signature: options.signature } : {}),
    });
    return { ...result, commentId, deliveryId };
  }

  /**
   * Delivers the signed `push` webhook GitHub sends after a ref moved on the git server, with
   * `after` the ref's real head there. With `files`, first commits them on that branch.
   */
  async push(options: PushOptions = {}): Promise<Delivery & { deliveryId: string; after: string }> {
    const ref = options.ref ?? "refs/heads/main";
    if (options.files) {
      const branch = /^refs\/heads\/(.+)$/.exec(ref)?.[1];
      if (!branch) throw new Error(`files can only be committed on a branch, not on ${ref}`);
      await pushFiles(this.git, FULL_NAME, options.files, {
        branch,
        token: this.developerToken(),
        ...(options.message ? { message: options.message } : {}),
      });
    }
    const after = (await this.git.git(["--git-dir", this.git.repoPath(FULL_NAME), "rev-parse", "--verify", ref])).trim();
    const payload = makePushEvent({
      ref,
      after,
      owner: OWNER,
      repo: REPO,
      cloneUrl: this.git.cloneUrl(FULL_NAME),
      defaultBranch: "main",
      installationId: this.github.installationId,
    });
    const deliveryId = options.deliveryId ?? this.nextDeliveryId();
    const result = await deliver(this.webhookUrl, "push", payload, { secret: SECRET, deliveryId });
    return { ...result, deliveryId, after };
  }

  /**
   * Pushes `commits` on a new branch over HTTP, opens a pull request from it on the fake, and
   * delivers the signed `pull_request.opened` webhook GitHub sends then.
   */
  async openPullRequest(options: OpenPullRequestOptions): Promise<{ number: number; head: string; delivery: PullRequestDelivery | null }> {
    await this.developerCommit(options.branch, options.commits, { from: "main" });
    const pull = this.github.addPullRequest({
      owner: OWNER,
      repo: REPO,
      headRef: options.branch,
      user: options.login ?? "alice",
      draft: options.draft ?? false,
      title: options.title ?? `Work on ${options.branch}`,
      body: options.body ?? "Please review.",
      ...(options.number !== undefined ? { number: options.number } : {}),
    });
    await this.updatePullRef(pull.number);
    const delivery = options.deliver === false ? null : await this.pullRequestEvent("opened", pull.number);
    return { number: pull.number, head: await this.headOf(pull.number), delivery };
  }

  /**
   * Pushes `commits` on the pull request's branch and delivers `pull_request.synchronize` with the
   * real `before` and `after`. With `force`, the branch is rewritten: it restarts from main, so the
   * old head is reachable from no ref any more, as after `git push --force`.
   */
  async pushToPullRequest(
    number: number,
    commits: readonly CommitSpec[],
    options: { force?: boolean; deliveryId?: string } = {},
  ): Promise<PullRequestDelivery & { before: string }> {
    const pull = this.#pull(number);
    const before = await this.headOf(number);
    await this.developerCommit(pull.headRef, commits, options.force ? { from: "main", force: true } : {});
    await this.updatePullRef(number);
    const delivery = await this.pullRequestEvent("synchronize", number, {
      before,
      ...(options.deliveryId ? { deliveryId: options.deliveryId } : {}),
    });
    return { ...delivery, before };
  }

  /**
   * Delivers a signed `pull_request` webhook for a pull request the fake holds, with its head and
   * base as the git server has them. `ready_for_review` first takes the draft flag off, as GitHub
   * does before it sends the event.
   */
  async pullRequestEvent(
    action: string,
    number: number,
    options: { deliveryId?: string; before?: string } = {},
  ): Promise<PullRequestDelivery> {
    const pull = this.#pull(number);
    if (action === "ready_for_review") pull.draft = false;
    const head = await this.headOf(number);
    const payload = makePullRequestEvent({
      action,
      number,
      owner: OWNER,
      repo: REPO,
      cloneUrl: this.git.cloneUrl(FULL_NAME),
      installationId: this.github.installationId,
      title: pull.title,
      body: pull.body,
      draft: pull.draft,
      login: pull.user,
      userType: pull.user.endsWith("[bot]") ? "Bot" : "User",
      headRef: pull.headRef,
      headSha: head,
      baseRef: pull.baseRef,
      baseSha: await this.rev(`refs/heads/${pull.baseRef}`),
      ...(options.before ? { before: options.before, after: head } : {}),
    });
    const deliveryId = options.deliveryId ?? this.nextDeliveryId();
    const result = await deliver(this.webhookUrl, "pull_request", payload, { secret: SECRET, deliveryId });
    return { ...result, deliveryId, number, head };
  }

  addIssue(number: number, title: string, body: string): void {
    this.github.addIssue({ owner: OWNER, repo: REPO, number, title, body });
  }

  setPermission(login: string, permission: "admin" | "write" | "read" | "none"): void {
    this.github.setPermission(OWNER, REPO, login, permission);
  }

  pullRequests(): ForgePull[] {
    return this.github.state.pulls;
  }

  reactions(): ForgeReaction[] {
    return this.github.state.reactions;
  }

  contractProblems(): string[] {
    return [...this.github.violations, ...this.github.unimplemented];
  }

  apiRequestTimes(): number[] {
    return this.github.requests.map((r) => r.timestamp);
  }

  protected headRefOf(number: number): string {
    return this.#pull(number).headRef;
  }

  protected developerToken(): string {
    return this.github.issueToken().token;
  }

  protected closeForge(): Promise<void> {
    return this.github?.close() ?? Promise.resolve();
  }

  /** Reviews the bot posted on a pull request, oldest first. */
  botReviews(number: number): ReviewRecord[] {
    return this.github.state.reviews.filter((r) => r.pullNumber === number && r.user === this.github.botLogin);
  }

  /** The inline comments of one review, in the order they were posted. */
  reviewComments(reviewId: number): ReviewCommentRecord[] {
    return this.github.state.reviewComments.filter((c) => c.reviewId === reviewId);
  }

  #pull(number: number): PullRecord {
    const pull = this.github.state.pulls.find((p) => p.number === number);
    if (!pull) throw new Error(`no pull request #${number} on the fake; open it with openPullRequest`);
    return pull;
  }

  /** Comments the bot wrote on an issue (its progress comment and any others). */
  botComments(issueNumber = 12): Array<ForgeComment & (typeof this.github.state.comments)[number]> {
    return this.github.state.comments.filter((c) => c.issueNumber === issueNumber && c.id >= 9_000_000);
  }
}
