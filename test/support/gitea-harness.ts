import { startFakeGitea, type AccessMode, type FakeGitea, type FakeGiteaOptions, type PullRecord } from "./fake-gitea.js";
import { pushFiles, seedRepo, startGitServer } from "./git-server.js";
import { deliverGitea, makeGiteaIssueCommentEvent, makeGiteaPullRequestEvent, makeGiteaPushEvent } from "./gitea-webhooks.js";
import {
  FULL_NAME,
  HarnessBase,
  OWNER,
  REPO,
  SECRET,
  type CommentDelivery,
  type CommentInput,
  type CommitSpec,
  type Delivery,
  type ForgeComment,
  type ForgePull,
  type ForgeReaction,
  type ForgeReview,
  type ForgeReviewComment,
  type HarnessOptionsBase,
  type OpenPullRequestOptions,
  type PushOptions,
} from "./harness-base.js";
import { startScriptedOllama, type ScriptedTurn } from "./scripted-ollama.js";

export interface GiteaHarnessOptions extends HarnessOptionsBase {
  readonly script: ScriptedTurn[];
  readonly files: Record<string, string>;
  readonly permissions?: Record<string, AccessMode>;
  readonly gitea?: FakeGiteaOptions;
}

const WIP = /^\s*(?:WIP:|\[WIP\])\s*/i;

/**
 * The same world as the GitHub harness, on Gitea: a git server over HTTP, Gitea's API at the
 * HTTP boundary (checked against Gitea's own API description), deliveries built from Gitea's
 * webhook kit and signed as Gitea signs them, and the bot serving Gitea alone.
 */
export class GiteaHarness extends HarnessBase {
  readonly forgeName = "gitea";
  gitea!: FakeGitea;

  static async start(options: GiteaHarnessOptions): Promise<GiteaHarness> {
    const h = new GiteaHarness();
    // The bot administers the repository, so Gitea tells it what commenters may do.
    h.gitea = await startFakeGitea({ botIsRepoAdmin: true, ...options.gitea });
    h.git = await startGitServer({ requireToken: (token) => h.gitea.isValidToken(token) });
    h.ollama = await startScriptedOllama({ script: options.script });
    h.baseSha = await seedRepo(h.git, FULL_NAME, options.files, { token: h.developerToken(), message: "Initial commit" });
    h.gitea.addRepo({
      owner: OWNER,
      repo: REPO,
      gitDir: h.git.repoPath(FULL_NAME),
      cloneUrl: h.git.cloneUrl(FULL_NAME),
      permissions: { alice: "write", mallory: "read", ...options.permissions },
    });
    h.gitea.addIssue({
      owner: OWNER,
      repo: REPO,
      number: 12,
      title: "add() returns the wrong result",
      body: "`add(2, 3)` gives -1 instead of 5.",
    });
    h.env = await h.baseEnv({ GITEA_URL: h.gitea.url, GITEA_TOKEN: h.gitea.token, GITEA_WEBHOOK_SECRET: SECRET }, options);
    return h;
  }

  get botLogin(): string {
    return this.gitea.botLogin;
  }

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.env.PORT}/api/gitea/webhooks`;
  }

  #where() {
    return { owner: OWNER, repo: REPO, cloneUrl: this.git.cloneUrl(FULL_NAME), defaultBranch: "main", giteaUrl: this.gitea.url };
  }

  async #deliver(
    eventType: string,
    payload: Record<string, unknown>,
    options: { deliveryId?: string; signature?: string | null } = {},
  ): Promise<Delivery & { deliveryId: string }> {
    const deliveryId = options.deliveryId ?? this.nextDeliveryId();
    const answer = await deliverGitea(this.webhookUrl, eventType, payload, {
      secret: SECRET,
      deliveryId,
      ...(options.signature !== undefined ? { signature: options.signature } : {}),
    });
    return { status: answer.status, text: answer.body, receivedAt: answer.receivedAt, deliveryId };
  }

  /** Registers a comment with the fake and delivers the `issue_comment` (or `pull_request_comment`) Gitea sends for it. */
  async comment(input: CommentInput, options: { deliveryId?: string; signature?: string | null } = {}): Promise<CommentDelivery> {
    const issueNumber = input.issueNumber ?? 12;
    const login = input.login ?? "alice";
    // The fake numbers comments (the bot's among them); a test that names one redelivers it.
    const commentId =
      input.commentId !== undefined && this.gitea.state.comments.some((c) => c.id === input.commentId)
        ? input.commentId
        : this.gitea.addComment({
            owner: OWNER,
            repo: REPO,
            issueNumber,
            body: input.body,
            user: login,
            ...(input.commentId !== undefined ? { id: input.commentId } : {}),
          }).id;
    const pull = this.gitea.state.pulls.find((p) => p.number === issueNumber);
    const issue = this.gitea.state.issues.find((i) => i.number === issueNumber);
    const payload = makeGiteaIssueCommentEvent({
      ...this.#where(),
      body: input.body,
      login,
      commentId,
      issueNumber,
      issueTitle: pull?.title ?? issue?.title ?? "",
      issueBody: pull?.body ?? issue?.body ?? "",
      pullRequest: input.pullRequest === true,
      ...(pull
        ? {
            pull: {
              headRef: pull.headRef,
              headSha: await this.headOf(issueNumber),
              baseRef: pull.baseRef,
              baseSha: await this.rev(`refs/heads/${pull.baseRef}`),
            },
          }
        : {}),
    });
    const delivery = await this.#deliver(input.pullRequest === true ? "pull_request_comment" : "issue_comment", payload, options);
    return { ...delivery, commentId };
  }

  /** Pushes `commits` on a new branch, opens a pull request from it on the fake (a draft is a `WIP:` title), and delivers `opened`. */
  async openPullRequest(
    options: OpenPullRequestOptions,
  ): Promise<{ number: number; head: string; delivery: (Delivery & { deliveryId: string }) | null }> {
    await this.developerCommit(options.branch, options.commits, { from: "main" });
    const title = options.title ?? `Work on ${options.branch}`;
    const pull = this.gitea.addPullRequest({
      owner: OWNER,
      repo: REPO,
      headRef: options.branch,
      title: options.draft ? `WIP: ${title}` : title,
      body: options.body ?? "Please review.",
      user: options.login ?? "alice",
      ...(options.number !== undefined ? { number: options.number } : {}),
    });
    await this.updatePullRef(pull.number);
    const delivery = options.deliver === false ? null : await this.pullRequestEvent("opened", pull.number);
    return { number: pull.number, head: await this.headOf(pull.number), delivery };
  }

  /** Pushes on the pull request's branch and delivers `pull_request_sync`, as Gitea does for new commits. */
  async pushToPullRequest(
    number: number,
    commits: readonly CommitSpec[],
    options: { force?: boolean; deliveryId?: string } = {},
  ): Promise<Delivery & { before: string }> {
    const pull = this.#pull(number);
    const before = await this.headOf(number);
    await this.developerCommit(pull.headRef, commits, options.force ? { from: "main", force: true } : {});
    pull.headSha = await this.headOf(number);
    await this.updatePullRef(number);
    const delivery = await this.pullRequestEvent("synchronized", number, options.deliveryId ? { deliveryId: options.deliveryId } : {});
    return { ...delivery, before };
  }

  /** Takes `WIP:` off the title and delivers the `edited` event Gitea sends for it: the draft is ready. */
  async markReady(number: number): Promise<Delivery & { deliveryId: string }> {
    const pull = this.#pull(number);
    const from = pull.title;
    pull.title = pull.title.replace(WIP, "");
    return this.pullRequestEvent("edited", number, { titleFrom: from });
  }

  async pullRequestEvent(
    action: string,
    number: number,
    options: { deliveryId?: string; titleFrom?: string } = {},
  ): Promise<Delivery & { deliveryId: string }> {
    const pull = this.#pull(number);
    const payload = makeGiteaPullRequestEvent({
      ...this.#where(),
      action,
      number,
      title: pull.title,
      body: pull.body,
      author: pull.user,
      headRef: pull.headRef,
      headSha: await this.headOf(number),
      baseRef: pull.baseRef,
      baseSha: await this.rev(`refs/heads/${pull.baseRef}`),
      ...(options.titleFrom !== undefined ? { titleFrom: options.titleFrom } : {}),
    });
    return this.#deliver(action === "synchronized" ? "pull_request_sync" : "pull_request", payload, options);
  }

  /** Delivers the `push` Gitea sends after a ref moved on the git server; with `files`, commits them on that branch first. */
  async push(options: PushOptions = {}): Promise<Delivery & { deliveryId: string; after: string }> {
    const ref = options.ref ?? "refs/heads/main";
    const before = await this.rev(ref).catch(() => "0".repeat(40));
    if (options.files) {
      const branch = /^refs\/heads\/(.+)$/.exec(ref)?.[1];
      if (!branch) throw new Error(`files can only be committed on a branch, not on ${ref}`);
      await pushFiles(this.git, FULL_NAME, options.files, {
        branch,
        token: this.developerToken(),
        ...(options.message ? { message: options.message } : {}),
      });
    }
    const after = await this.rev(ref);
    const delivery = await this.#deliver(
      "push",
      makeGiteaPushEvent({ ...this.#where(), ref, before, after }),
      options.deliveryId ? { deliveryId: options.deliveryId } : {},
    );
    return { ...delivery, after };
  }

  addIssue(number: number, title: string, body: string): void {
    this.gitea.addIssue({ owner: OWNER, repo: REPO, number, title, body });
  }

  setPermission(login: string, permission: "admin" | "write" | "read" | "none"): void {
    this.gitea.setPermission(OWNER, REPO, login, permission);
  }

  botComments(issueNumber = 12): ForgeComment[] {
    return this.gitea.state.comments.filter((c) => c.issueNumber === issueNumber && c.user === this.gitea.botLogin);
  }

  botReviews(number: number): ForgeReview[] {
    return this.gitea.state.reviews.filter((r) => r.pullNumber === number && r.user === this.gitea.botLogin);
  }

  reviewComments(reviewId: number): ForgeReviewComment[] {
    return this.gitea.state.reviewComments
      .filter((c) => c.reviewId === reviewId)
      .map((c) => ({
        path: c.path,
        body: c.body,
        line: c.newPosition || c.oldPosition || null,
        side: c.newPosition > 0 ? "RIGHT" : "LEFT",
      }));
  }

  pullRequests(): ForgePull[] {
    return this.gitea.state.pulls.map((p) => ({
      number: p.number,
      headRef: p.headRef,
      baseRef: p.baseRef,
      title: p.title,
      body: p.body,
      draft: WIP.test(p.title),
    }));
  }

  reactions(): ForgeReaction[] {
    return this.gitea.state.reactions.map((r) => ({ content: r.content, commentId: r.commentId }));
  }

  contractProblems(): string[] {
    return [...this.gitea.violations, ...this.gitea.unimplemented];
  }

  apiRequestTimes(): number[] {
    return this.gitea.requests.map((r) => r.timestamp);
  }

  protected headRefOf(number: number): string {
    return this.#pull(number).headRef;
  }

  /** A developer's token (alice's), for pushes over HTTP. */
  protected developerToken(): string {
    return this.gitea.issueToken({ login: "alice" });
  }

  protected closeForge(): Promise<void> {
    return this.gitea?.close() ?? Promise.resolve();
  }

  #pull(number: number): PullRecord {
    const pull = this.gitea.state.pulls.find((p) => p.number === number);
    if (!pull) throw new Error(`no pull request #${number} on the fake; open it with openPullRequest`);
    return pull;
  }
}
