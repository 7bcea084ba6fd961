import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { serve, type RunningBot, type ServeOverrides } from "../../src/app/serve.js";
import { loadEnv } from "../../src/config/env.js";
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
import { pushFiles, seedRepo, startGitServer, type GitServer } from "./git-server.js";
import { freePort, waitFor } from "./net.js";
import { startScriptedOllama, type ScriptedOllama, type ScriptedTurn } from "./scripted-ollama.js";
import {
  deliver,
  makeIssueCommentEvent,
  makePullRequestEvent,
  makePushEvent,
  type Delivery,
  type IssueCommentOverrides,
} from "./webhooks.js";

export const OWNER = "acme";
export const REPO = "widgets";
export const FULL_NAME = `${OWNER}/${REPO}`;
export const SECRET = "test-webhook-secret";
const repoRoot = path.resolve(import.meta.dirname, "../..");
const MERGE_IDENTITY = {
  GIT_AUTHOR_NAME: "Octo Cat",
  GIT_AUTHOR_EMAIL: "octocat@example.com",
  GIT_COMMITTER_NAME: "GitHub",
  GIT_COMMITTER_EMAIL: "noreply@github.com",
};
const DEVELOPER_IDENTITY = {
  GIT_AUTHOR_NAME: "Alice",
  GIT_AUTHOR_EMAIL: "alice@example.com",
  GIT_COMMITTER_NAME: "Alice",
  GIT_COMMITTER_EMAIL: "alice@example.com",
};

export interface PushOptions {
  /** The full ref pushed; `refs/heads/main` by default. */
  readonly ref?: string;
  /** Committed (over HTTP, as a developer would) on the ref's branch before the delivery; the branch starts from main when new. */
  readonly files?: Record<string, string>;
  readonly message?: string;
  readonly deliveryId?: string;
}

/** One commit a developer makes: the files it writes (whole contents), and its message. */
export interface CommitSpec {
  readonly files: Record<string, string>;
  readonly message?: string;
}

export interface OpenPullRequestOptions {
  /** The head branch, made from main on the git server. */
  readonly branch: string;
  /** Pushed on the branch over HTTP before the pull request is opened, oldest first. */
  readonly commits: readonly CommitSpec[];
  readonly number?: number;
  readonly title?: string;
  readonly body?: string;
  readonly draft?: boolean;
  /** The author; `renovate[bot]` and the like are bots. */
  readonly login?: string;
  /** Deliver `pull_request.opened` (the default); false only opens it on the fake. */
  readonly deliver?: boolean;
}

export interface PullRequestDelivery extends Delivery {
  readonly deliveryId: string;
  readonly number: number;
  /** The head the delivery names, read from the git server. */
  readonly head: string;
}

export interface HarnessOptions {
  readonly script: ScriptedTurn[];
  readonly files: Record<string, string>;
  readonly permissions?: Record<string, RepoPermission>;
  readonly env?: Record<string, string>;
  readonly github?: FakeGitHubOptions;
}

/**
 * Everything the bot talks to, real where it can be: a git server over HTTP, GitHub's API at
 * the HTTP boundary (checked against its OpenAPI description), and a scripted model behind
 * Ollama's real protocol. The bot runs in-process (`startBot`) or as a child process (`spawnBot`).
 */
export class Harness {
  github!: FakeGitHub;
  git!: GitServer;
  ollama!: ScriptedOllama;
  env!: Record<string, string>;
  dataDir!: string;
  baseSha!: string;
  bot: RunningBot | null = null;
  child: ChildProcess | null = null;
  #commentIds = 5_000_000;
  #deliveries = 0;

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
    h.dataDir = mkdtempSync(path.join(os.tmpdir(), "coder-bot-e2e-"));
    h.env = {
      APP_ID: String(h.github.appId),
      PRIVATE_KEY: makeRsaKey(),
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: h.github.host,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: String(await freePort()),
      OLLAMA_HOST: h.ollama.url,
      CODER_MODEL: "qwen2.5-coder:7b",
      CODER_DATA_DIR: h.dataDir,
      CODER_RUNNER: "host",
      LOG_LEVEL: "warn",
      ...options.env,
    };
    return h;
  }

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.env.PORT}/api/github/webhooks`;
  }

  /** Runs the bot in this process; `overrides` replace parts of it (the fix's steps, the model). */
  async startBot(overrides: ServeOverrides = {}): Promise<RunningBot> {
    const bot = await serve(loadEnv(this.env), overrides);
    if (!bot) throw new Error("the bot started in setup mode");
    this.bot = bot;
    return bot;
  }

  /** Runs `coder-bot serve` as a separate process, so a test can kill it. */
  async spawnBot(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), path.join(repoRoot, "src/cli/main.ts"), "serve"], {
      cwd: this.dataDir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    this.child = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`the bot exited early:\n${output}`);
        return fetch(`http://127.0.0.1:${this.env.PORT}/ping`)
          .then((r) => r.ok)
          .catch(() => false);
      },
      "the bot process to listen",
      60_000,
    );
    return child;
  }

  async killChild(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    this.child = null;
  }

  /** Registers a comment with the fake and delivers its signed `issue_comment.created` webhook. */
  async comment(
    overrides: Partial<IssueCommentOverrides> & { body: string },
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
      ...overrides,
      commentId,
      issueNumber,
    });
    const deliveryId = options.deliveryId ?? `delivery-${++this.#deliveries}-${Date.now()}`;
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
        token: this.github.issueToken().token,
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
    const deliveryId = options.deliveryId ?? `delivery-${++this.#deliveries}-${Date.now()}`;
    const result = await deliver(this.webhookUrl, "push", payload, { secret: SECRET, deliveryId });
    return { ...result, deliveryId, after };
  }

  /**
   * Merges `branch` into `into` on the server with a merge commit, as GitHub's merge button does
   * (no push over HTTP, and no webhook: deliver one with `push`). Returns the merge commit.
   */
  async merge(branch: string, into = "main"): Promise<string> {
    const git = (args: string[]) => this.git.git(["--git-dir", this.git.repoPath(FULL_NAME), ...args], { env: MERGE_IDENTITY });
    const base = await git(["rev-parse", "--verify", `refs/heads/${into}`]);
    const tree = await git(["merge-tree", "--write-tree", `refs/heads/${into}`, `refs/heads/${branch}`]);
    const merge = await git([
      "commit-tree",
      tree.split("\n")[0]!,
      "-p",
      base,
      "-p",
      `refs/heads/${branch}`,
      "-m",
      `Merge branch '${branch}'`,
    ]);
    await git(["update-ref", `refs/heads/${into}`, merge, base]);
    return merge;
  }

  /** Creates a lightweight tag on the server (no webhook: deliver one with `push`). */
  async tag(name: string, target = "main"): Promise<void> {
    await this.git.git(["--git-dir", this.git.repoPath(FULL_NAME), "tag", name, target]);
  }

  /**
   * Pushes `commits` on a new branch over HTTP, opens a pull request from it on the fake, and
   * delivers the signed `pull_request.opened` webhook GitHub sends then.
   */
  async openPullRequest(options: OpenPullRequestOptions): Promise<{ number: number; head: string; delivery: PullRequestDelivery | null }> {
    await this.#commit(options.branch, options.commits, { from: "main" });
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
    await this.#updatePullRef(pull.number);
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
    await this.#commit(pull.headRef, commits, options.force ? { from: "main", force: true } : {});
    await this.#updatePullRef(number);
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
      baseSha: await this.#rev(`refs/heads/${pull.baseRef}`),
      ...(options.before ? { before: options.before, after: head } : {}),
    });
    const deliveryId = options.deliveryId ?? `delivery-${++this.#deliveries}-${Date.now()}`;
    const result = await deliver(this.webhookUrl, "pull_request", payload, { secret: SECRET, deliveryId });
    return { ...result, deliveryId, number, head };
  }

  /** The pull request's head on the git server now. */
  async headOf(number: number): Promise<string> {
    return this.#rev(`refs/heads/${this.#pull(number).headRef}`);
  }

  /** Reviews the bot posted on a pull request, oldest first. */
  botReviews(number: number): ReviewRecord[] {
    return this.github.state.reviews.filter((r) => r.pullNumber === number && r.user === this.github.botLogin);
  }

  /** The inline comments of one review, in the order they were posted. */
  reviewComments(reviewId: number): ReviewCommentRecord[] {
    return this.github.state.reviewComments.filter((c) => c.reviewId === reviewId);
  }

  async waitForReviews(number: number, count: number, timeoutMs = 60_000): Promise<ReviewRecord[]> {
    return waitFor(
      () => (this.botReviews(number).length >= count ? this.botReviews(number) : null),
      `${count} review(s) of #${number}`,
      timeoutMs,
    );
  }

  /** A file as it is at a commit on the git server, without its final newline (git's output is trimmed). */
  async fileAt(rev: string, file: string): Promise<string> {
    return this.git.git(["--git-dir", this.git.repoPath(FULL_NAME), "show", `${rev}:${file}`]);
  }

  #pull(number: number): PullRecord {
    const pull = this.github.state.pulls.find((p) => p.number === number);
    if (!pull) throw new Error(`no pull request #${number} on the fake; open it with openPullRequest`);
    return pull;
  }

  async #rev(ref: string): Promise<string> {
    return (await this.git.git(["--git-dir", this.git.repoPath(FULL_NAME), "rev-parse", "--verify", ref])).trim();
  }

  /** GitHub keeps every pull request's head as refs/pull/N/head in the base repository, forks or not. */
  async #updatePullRef(number: number): Promise<void> {
    await this.git.git(["--git-dir", this.git.repoPath(FULL_NAME), "update-ref", `refs/pull/${number}/head`, await this.headOf(number)]);
  }

  /**
   * Commits on `branch` in a clone and pushes over HTTP as a developer would; `from` starts the
   * branch over at that branch of the server. The git server refuses non-fast-forward pushes (to
   * catch the bot making one), so a forced push lifts that for its own duration only.
   */
  async #commit(branch: string, commits: readonly CommitSpec[], options: { from?: string; force?: boolean }): Promise<string> {
    const work = mkdtempSync(path.join(os.tmpdir(), "coder-bot-dev-"));
    const bare = this.git.repoPath(FULL_NAME);
    const token = this.github.issueToken().token;
    const git = (args: string[]) => this.git.git(args, { cwd: work, token, env: DEVELOPER_IDENTITY });
    try {
      await git(["clone", "--quiet", this.git.cloneUrl(FULL_NAME), "."]);
      await git(["checkout", "--quiet", "-B", branch, `origin/${options.from ?? branch}`]);
      for (const [i, commit] of commits.entries()) {
        for (const [name, content] of Object.entries(commit.files)) {
          mkdirSync(path.dirname(path.join(work, name)), { recursive: true });
          writeFileSync(path.join(work, name), content);
        }
        await git(["add", "--all"]);
        await git(["commit", "--quiet", "-m", commit.message ?? `Change ${i + 1} on ${branch}`]);
      }
      if (options.force) await this.git.git(["--git-dir", bare, "config", "receive.denyNonFastForwards", "false"]);
      try {
        await git(["push", "--quiet", ...(options.force ? ["--force"] : []), "origin", `HEAD:refs/heads/${branch}`]);
      } finally {
        if (options.force) await this.git.git(["--git-dir", bare, "config", "receive.denyNonFastForwards", "true"]);
      }
      return await git(["rev-parse", "HEAD"]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** Comments the bot wrote on an issue (its progress comment and any others). */
  botComments(issueNumber = 12) {
    return this.github.state.comments.filter((c) => c.issueNumber === issueNumber && c.id >= 9_000_000);
  }

  async waitForComment(match: RegExp, issueNumber = 12, timeoutMs = 60_000) {
    return waitFor(
      () => {
        const comments = this.botComments(issueNumber);
        const found = comments.find((c) => match.test(c.body));
        const failed = comments.find((c) => /❌ Failed/.test(c.body));
        if (!found && failed && !match.test(failed.body)) throw new Error(`the bot reported a failure instead:\n${failed.body}`);
        return found;
      },
      `a bot comment matching ${match}`,
      timeoutMs,
    );
  }

  worktreeDirs(): string[] {
    try {
      return readdirSync(path.join(this.dataDir, "worktrees"));
    } catch {
      return [];
    }
  }

  async remoteBranches(): Promise<string[]> {
    const out = await this.git.git(["--git-dir", this.git.repoPath(FULL_NAME), "for-each-ref", "--format=%(refname:short)", "refs/heads/"]);
    return out.split("\n").filter(Boolean).sort();
  }

  /** Jobs the running bot has stored, whatever their state. */
  async jobCount(): Promise<number> {
    const counts = await this.bot!.services.queue.counts();
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  /** Waits until `succeeded` jobs have succeeded and none waits or runs; a failed job fails the wait at once. */
  async settled(succeeded: number, timeoutMs?: number): Promise<void> {
    await waitFor(
      async () => {
        const counts = await this.bot!.services.queue.counts();
        if (counts.failed > 0) throw new Error(`a job failed: ${JSON.stringify(counts)}`);
        return counts.succeeded === succeeded && counts.queued === 0 && counts.running === 0;
      },
      `${succeeded} job(s) to succeed`,
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    await this.bot?.stop();
    await this.killChild();
    await Promise.allSettled([this.github?.close(), this.git?.close(), this.ollama?.close()]);
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
