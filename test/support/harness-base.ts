import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { serve, type RunningBot, type ServeOverrides } from "../../src/app/serve.js";
import { loadEnv } from "../../src/config/env.js";
import type { GitServer } from "./git-server.js";
import { freePort, waitFor } from "./net.js";
import type { ScriptedOllama } from "./scripted-ollama.js";

export const OWNER = "acme";
export const REPO = "widgets";
export const FULL_NAME = `${OWNER}/${REPO}`;
export const SECRET = "test-webhook-secret";
const repoRoot = path.resolve(import.meta.dirname, "../..");
const MERGE_IDENTITY = {
  GIT_AUTHOR_NAME: "Octo Cat",
  GIT_AUTHOR_EMAIL: "octocat@example.com",
  GIT_COMMITTER_NAME: "Forge",
  GIT_COMMITTER_EMAIL: "noreply@example.com",
};
const DEVELOPER_IDENTITY = {
  GIT_AUTHOR_NAME: "Alice",
  GIT_AUTHOR_EMAIL: "alice@example.com",
  GIT_COMMITTER_NAME: "Alice",
  GIT_COMMITTER_EMAIL: "alice@example.com",
};

/** One commit a developer makes: the files it writes (whole contents), and its message. */
export interface CommitSpec {
  readonly files: Record<string, string>;
  readonly message?: string;
}

export interface PushOptions {
  /** The full ref pushed; `refs/heads/main` by default. */
  readonly ref?: string;
  /** Committed (over HTTP, as a developer would) on the ref's branch before the delivery; the branch starts from main when new. */
  readonly files?: Record<string, string>;
  readonly message?: string;
  readonly deliveryId?: string;
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
  /** Deliver the "opened" event (the default); false only opens it on the fake. */
  readonly deliver?: boolean;
}

/** What a forge answered a delivery, and when. */
export interface Delivery {
  readonly status: number;
  /** The answer's body. */
  readonly text: string;
  readonly receivedAt: number;
}

export interface CommentDelivery extends Delivery {
  readonly commentId: number;
  readonly deliveryId: string;
}

/** A comment as every forge's fake keeps it: its text now, and every text it had. */
export interface ForgeComment {
  readonly id: number;
  readonly body: string;
  readonly history: readonly string[];
}

export interface ForgePull {
  readonly number: number;
  readonly headRef: string;
  readonly baseRef: string;
  readonly title: string;
  readonly body: string | null;
  readonly draft: boolean;
}

export interface ForgeReview {
  readonly id: number;
  readonly body: string;
  readonly commitId: string;
}

export interface ForgeReviewComment {
  readonly path: string;
  readonly body: string;
  /** The line on the side the comment sits on. */
  readonly line: number | null;
  readonly side: "LEFT" | "RIGHT";
}

export interface ForgeReaction {
  readonly content: string;
  readonly commentId: number;
}

/** A comment a test gives to deliver, in the terms of every forge. */
export interface CommentInput {
  readonly body: string;
  readonly login?: string;
  readonly issueNumber?: number;
  readonly pullRequest?: boolean;
  readonly commentId?: number;
}

export interface HarnessOptionsBase {
  readonly env?: Record<string, string>;
}

/**
 * What every forge's harness shares: a git server over HTTP, a scripted model behind Ollama's
 * real protocol, the bot in this process (`startBot`) or as a child (`spawnBot`), and the views
 * of the forge's fake a scenario needs. Subclasses add their forge's fake and deliveries.
 */
export abstract class HarnessBase {
  git!: GitServer;
  ollama!: ScriptedOllama;
  env!: Record<string, string>;
  dataDir!: string;
  baseSha!: string;
  bot: RunningBot | null = null;
  child: ChildProcess | null = null;
  #deliveries = 0;

  /** `github` or `gitea`: which forge this harness fakes. */
  abstract readonly forgeName: "github" | "gitea";
  /** The account the bot posts as. */
  abstract readonly botLogin: string;
  abstract readonly webhookUrl: string;

  abstract comment(input: CommentInput, options?: { deliveryId?: string; signature?: string | null }): Promise<CommentDelivery>;
  abstract openPullRequest(
    options: OpenPullRequestOptions,
  ): Promise<{ number: number; head: string; delivery: (Delivery & { deliveryId: string }) | null }>;
  abstract pushToPullRequest(
    number: number,
    commits: readonly CommitSpec[],
    options?: { force?: boolean; deliveryId?: string },
  ): Promise<Delivery & { before: string }>;
  abstract push(options?: PushOptions): Promise<Delivery & { deliveryId: string; after: string }>;
  abstract addIssue(number: number, title: string, body: string): void;
  abstract setPermission(login: string, permission: "admin" | "write" | "read" | "none"): void;
  /** Comments the bot wrote on an issue or pull request (its progress comment and any others). */
  abstract botComments(issueNumber?: number): ForgeComment[];
  /** Reviews the bot posted on a pull request, oldest first. */
  abstract botReviews(number: number): ForgeReview[];
  /** The inline comments of one review, in the order they were posted. */
  abstract reviewComments(reviewId: number): ForgeReviewComment[];
  abstract pullRequests(): ForgePull[];
  abstract reactions(): ForgeReaction[];
  /** Every request the bot made that the forge's API description does not allow, or that the fake does not serve. */
  abstract contractProblems(): string[];
  /** When the forge's API was called, for "nothing before the acknowledgement". */
  abstract apiRequestTimes(): number[];
  protected abstract headRefOf(number: number): string;
  /** A token the git server accepts, for a developer's pushes. */
  protected abstract developerToken(): string;
  protected abstract closeForge(): Promise<void>;

  /** The bot's key for the repository: its mirror, its index, its reviews. */
  get repoKey(): string {
    return this.forgeName === "github" ? FULL_NAME : `${this.forgeName}:${FULL_NAME}`;
  }

  /** A developer's commits on a branch of the server (made from main when new), without any webhook. */
  async commitOn(branch: string, commits: readonly CommitSpec[]): Promise<string> {
    const exists = (await this.git.git(["--git-dir", this.git.repoPath(FULL_NAME), "branch", "--list", branch])).trim() !== "";
    return this.developerCommit(branch, commits, exists ? {} : { from: "main" });
  }

  protected nextDeliveryId(): string {
    return `delivery-${++this.#deliveries}-${Date.now()}`;
  }

  /** The environment every forge's bot shares; the forge's own settings come on top. */
  protected async baseEnv(extra: Record<string, string>, options: HarnessOptionsBase): Promise<Record<string, string>> {
    this.dataDir = mkdtempSync(path.join(os.tmpdir(), "coder-bot-e2e-"));
    return {
      HOST: "127.0.0.1",
      PORT: String(await freePort()),
      OLLAMA_HOST: this.ollama.url,
      CODER_MODEL: "qwen2.5-coder:7b",
      CODER_DATA_DIR: this.dataDir,
      CODER_RUNNER: "host",
      LOG_LEVEL: "warn",
      ...extra,
      ...options.env,
    };
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

  async waitForComment(match: RegExp, issueNumber = 12, timeoutMs = 60_000): Promise<ForgeComment> {
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

  async waitForReviews(number: number, count: number, timeoutMs = 60_000): Promise<ForgeReview[]> {
    return waitFor(
      () => (this.botReviews(number).length >= count ? this.botReviews(number) : null),
      `${count} review(s) of #${number}`,
      timeoutMs,
    );
  }

  /** The pull request's head on the git server now. */
  async headOf(number: number): Promise<string> {
    return this.rev(`refs/heads/${this.headRefOf(number)}`);
  }

  /** A file as it is at a commit on the git server, without its final newline (git's output is trimmed). */
  async fileAt(rev: string, file: string): Promise<string> {
    return this.git.git(["--git-dir", this.git.repoPath(FULL_NAME), "show", `${rev}:${file}`]);
  }

  /**
   * Merges `branch` into `into` on the server with a merge commit, as a forge's merge button does
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
    await Promise.allSettled([this.closeForge(), this.git?.close(), this.ollama?.close()]);
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  protected async rev(ref: string): Promise<string> {
    return (await this.git.git(["--git-dir", this.git.repoPath(FULL_NAME), "rev-parse", "--verify", ref])).trim();
  }

  /** Both forges keep every pull request's head as refs/pull/N/head in the base repository. */
  protected async updatePullRef(number: number): Promise<void> {
    await this.git.git(["--git-dir", this.git.repoPath(FULL_NAME), "update-ref", `refs/pull/${number}/head`, await this.headOf(number)]);
  }

  /**
   * Commits on `branch` in a clone and pushes over HTTP as a developer would; `from` starts the
   * branch over at that branch of the server. The git server refuses non-fast-forward pushes (to
   * catch the bot making one), so a forced push lifts that for its own duration only.
   */
  protected async developerCommit(
    branch: string,
    commits: readonly CommitSpec[],
    options: { from?: string; force?: boolean },
  ): Promise<string> {
    const work = mkdtempSync(path.join(os.tmpdir(), "coder-bot-dev-"));
    const bare = this.git.repoPath(FULL_NAME);
    const git = (args: string[]) => this.git.git(args, { cwd: work, token: this.developerToken(), env: DEVELOPER_IDENTITY });
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
}
