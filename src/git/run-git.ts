import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";

export type GitErrorReason = "not-a-repository" | "unknown-revision" | "unreachable" | "authentication" | "failed";

/** What git's own words say went wrong, for messages and for callers that treat some cases apart. */
function reasonOf(stderr: string): GitErrorReason {
  if (/not a git repository/i.test(stderr)) return "not-a-repository";
  if (
    /unknown revision|bad revision|needed a single revision|invalid object name|not a valid object name|couldn't find remote ref/i.test(
      stderr,
    )
  )
    return "unknown-revision";
  if (/authentication failed|could not read username|returned error: 40[13]/i.test(stderr)) return "authentication";
  if (/could not resolve host|connection refused|unable to access|timed out/i.test(stderr)) return "unreachable";
  return "failed";
}

export class GitError extends Error {
  readonly reason: GitErrorReason;
  readonly args: readonly string[];
  readonly stderr: string;
  readonly exitCode: number | undefined;
  constructor(args: readonly string[], stderr: string, exitCode: number | undefined) {
    super(`git ${args[0] ?? ""} failed (exit ${exitCode ?? "?"}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
    this.name = "GitError";
    this.reason = reasonOf(stderr);
    this.args = args;
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

export interface GitOptions {
  readonly cwd: string;
  /** An installation token, sent as an HTTP header for this one command and never stored. */
  readonly token?: string | null;
  readonly input?: string;
  /** Return the result instead of throwing on a non-zero exit. */
  readonly allowFailure?: boolean;
}

export interface GitResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/**
 * git's HOME: a directory of this process's own (mode 0700), so no other user can plant a
 * `.gitconfig` (an `insteadOf` rule would send the token elsewhere). Global and XDG config are
 * switched off on top.
 */
let privateHome: string | undefined;
function home(): string {
  privateHome ??= mkdtempSync(path.join(os.tmpdir(), "coder-bot-git-"));
  return privateHome;
}

/**
 * Runs git with an environment built from scratch: no user or system config, no prompts, no
 * hooks. A token travels only in this process's environment (`GIT_CONFIG_*`), which other users
 * cannot read, never in argv, `.git/config` or a remote URL.
 */
export async function runGit(args: readonly string[], options: GitOptions): Promise<GitResult> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home(),
    XDG_CONFIG_HOME: home(),
    GIT_CONFIG_GLOBAL: "/dev/null",
    LANG: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_ASKPASS: "/bin/false",
    GIT_CONFIG_COUNT: "2",
    GIT_CONFIG_KEY_0: "core.hooksPath",
    GIT_CONFIG_VALUE_0: "/dev/null",
    // Worktrees are handed to the sandbox's user; their metadata stays ours. Repositories are only
    // ever opened with an explicit --git-dir or from our own mirror paths.
    GIT_CONFIG_KEY_1: "safe.directory",
    GIT_CONFIG_VALUE_1: "*",
  };
  if (options.token) {
    env.GIT_CONFIG_COUNT = "3";
    env.GIT_CONFIG_KEY_2 = "http.extraHeader";
    env.GIT_CONFIG_VALUE_2 = `Authorization: Basic ${Buffer.from(`x-access-token:${options.token}`).toString("base64")}`;
  }
  const result = await execa("git", args, {
    cwd: options.cwd,
    env,
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  const out: GitResult = { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? -1 };
  if (out.exitCode !== 0 && !options.allowFailure) throw new GitError(args, out.stderr, result.exitCode);
  return out;
}
