import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { HeadTailBuffer } from "./output-buffer.js";
import { notStarted, type CommandRunner, type RunnerFactory, type RunOptions, type RunResult, type WorkspaceOptions } from "./runner.js";

/**
 * Runs commands directly on the host, in the worktree. No isolation: for tests and for a
 * developer who opts in on their own machine. The environment is rebuilt from scratch so the
 * bot's secrets never reach a command.
 */
export class HostRunnerFactory implements RunnerFactory {
  readonly name = "host";
  async create(hostPath: string, options: WorkspaceOptions = {}): Promise<CommandRunner> {
    const runner = new HostRunner(hostPath);
    const setup = options.sandbox?.setup;
    if (setup) {
      const result = await runner.run({ shell: setup }, { timeoutMs: options.sandbox?.setupTimeoutMs ?? 600_000 });
      if (result.exitCode !== 0)
        throw new Error(
          `the setup command \`${setup}\` failed (exit ${result.exitCode}): ${result.stderr.trim().split("\n").slice(-5).join(" | ")}`,
        );
    }
    return runner;
  }
}

const sharedHome = path.join(os.tmpdir(), "coder-bot-home");
const safeEnvNames = ["PATH", "LANG", "LC_ALL", "TZ", "TERM"] as const;

export class HostRunner implements CommandRunner {
  readonly #root: string;

  constructor(root: string) {
    this.#root = path.resolve(root);
  }

  run(command: readonly string[] | { readonly shell: string }, options: RunOptions): Promise<RunResult> {
    const [file, ...args] = "shell" in command ? ["/bin/sh", "-c", command.shell] : command;
    const cwd = path.resolve(this.#root, options.cwd ?? ".");
    if (cwd !== this.#root && !cwd.startsWith(this.#root + path.sep)) {
      return Promise.resolve(notStarted(`working directory ${options.cwd ?? "."} is outside the workspace`));
    }
    if (options.signal?.aborted) return Promise.resolve(notStarted("the command was not started: the job is stopping"));
    const env: Record<string, string> = { HOME: sharedHome, CI: "true", GIT_TERMINAL_PROMPT: "0", NO_COLOR: "1" };
    for (const name of safeEnvNames) if (process.env[name]) env[name] = process.env[name];
    const started = Date.now();
    const max = options.maxOutputBytes ?? 64 * 1024;
    const stdout = new HeadTailBuffer(max);
    const stderr = new HeadTailBuffer(max);
    return new Promise((resolve) => {
      const child = spawn(file!, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      let timedOut = false;
      // detached gives the child its own process group, so the whole tree can be killed at once.
      const killTree = () => {
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killTree();
      }, options.timeoutMs);
      const onAbort = () => killTree();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      child.on("error", (error) => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        resolve({ ...notStarted(`cannot start ${file}: ${error.message}`), durationMs: Date.now() - started });
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        killTree();
        resolve({
          exitCode: code,
          stdout: stdout.toString(),
          stderr: stderr.toString(),
          timedOut,
          truncatedBytes: stdout.droppedBytes + stderr.droppedBytes,
          durationMs: Date.now() - started,
        });
      });
    });
  }

  async dispose(): Promise<void> {}
}
