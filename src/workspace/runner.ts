import type { SandboxOptions } from "./docker/sandbox-options.js";

/** How a command is run inside a job's workspace. The Docker runner confines it; the host runner is for tests and an explicit local opt-in. */
export interface RunOptions {
  /** Working directory relative to the workspace root. */
  readonly cwd?: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Output kept per stream; the middle of longer output is cut. */
  readonly maxOutputBytes?: number;
}

export interface RunResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Bytes cut from the middle of stdout and stderr together. */
  readonly truncatedBytes: number;
  readonly durationMs: number;
}

export interface CommandRunner {
  /** Who must own files the bot writes into the workspace from the host, so commands can change them. */
  readonly fileOwner?: { readonly uid: number; readonly gid: number };
  /** `command` is an argv (no shell) or a shell line. */
  run(command: readonly string[] | { readonly shell: string }, options: RunOptions): Promise<RunResult>;
  /**
   * Stops every process the workspace's commands left running, so that files the bot opens from
   * the host cannot be swapped for symbolic links between its path check and its read or write.
   */
  quiesce?(): Promise<void>;
  dispose(): Promise<void>;
}

export interface WorkspaceOptions {
  /** A name for the workspace in labels and logs, e.g. `job-12`. */
  readonly name?: string;
  /** Confinement for container runners; ignored by the host runner. */
  readonly sandbox?: Partial<SandboxOptions>;
}

export interface RunnerFactory {
  readonly name: string;
  /** A runner whose commands see `hostPath` as their workspace. */
  create(hostPath: string, options?: WorkspaceOptions): Promise<CommandRunner>;
}

/** The result of a command that was never started, with the reason for the model. */
export function notStarted(reason: string, exitCode: number | null = 127): RunResult {
  return { exitCode, stdout: "", stderr: reason, timedOut: false, truncatedBytes: 0, durationMs: 0 };
}
