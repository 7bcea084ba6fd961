import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { HeadTailBuffer } from "../output-buffer.js";
import type { RunResult } from "../runner.js";

export interface ExecParams {
  readonly argv: readonly string[];
  readonly workingDir: string;
  readonly user: string;
  readonly env: readonly string[];
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  readonly signal?: AbortSignal;
  /**
   * End every other process of the command's user first (what earlier commands left running).
   * `kill -1` spares its caller, the shell that then becomes `timeout`.
   */
  readonly killLeftovers?: boolean;
  /** Registers a call for when the container stops (the stream would otherwise wait for the host guard); returns its removal. */
  readonly onContainerStop?: (listener: () => void) => () => void;
}

/** Grace after the in-container timeout before the host gives up on the exec and cleans up itself. */
const HOST_GRACE_MS = 5_000;

/**
 * One `docker exec`: the command runs under coreutils `timeout`, which kills its whole process
 * group when time is up; output is streamed into head-and-tail buffers, so a command that prints
 * gigabytes costs the bot a fixed amount of memory.
 */
export async function execCommand(docker: Docker, container: Docker.Container, params: ExecParams): Promise<RunResult> {
  const started = Date.now();
  const seconds = Math.max(0.1, params.timeoutMs / 1000).toFixed(3);
  const exec = await container.exec({
    Cmd: [
      "sh",
      "-c",
      `${params.killLeftovers ? "kill -KILL -1 2>/dev/null; " : ""}exec timeout --signal=KILL ${seconds}s "$@"`,
      "sh",
      ...params.argv,
    ],
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: false,
    Tty: false,
    User: params.user,
    WorkingDir: params.workingDir,
    Env: [...params.env],
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = new HeadTailBuffer(params.maxOutputBytes);
  const stderr = new HeadTailBuffer(params.maxOutputBytes);
  const out = new PassThrough();
  const err = new PassThrough();
  out.on("data", (chunk: Buffer) => stdout.push(chunk));
  err.on("data", (chunk: Buffer) => stderr.push(chunk));
  docker.modem.demuxStream(stream, out, err);

  let hostTimedOut = false;
  const finished = new Promise<void>((resolve) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", () => resolve());
  });
  const abort = () => stream.destroy();
  params.signal?.addEventListener("abort", abort, { once: true });
  const unsubscribe = params.onContainerStop?.(abort);
  const guard = setTimeout(() => {
    hostTimedOut = true;
    stream.destroy();
  }, params.timeoutMs + HOST_GRACE_MS);
  try {
    await finished;
  } finally {
    clearTimeout(guard);
    params.signal?.removeEventListener("abort", abort);
    unsubscribe?.();
  }
  const info = await exec.inspect().catch(() => null);
  const exitCode = info?.Running ? null : (info?.ExitCode ?? null);
  const durationMs = Date.now() - started;
  const timedOut = hostTimedOut || (durationMs >= params.timeoutMs && (exitCode === 124 || exitCode === 137 || exitCode === null));
  return {
    exitCode,
    stdout: stdout.toString(),
    stderr: stderr.toString(),
    timedOut,
    truncatedBytes: stdout.droppedBytes + stderr.droppedBytes,
    durationMs,
  };
}
