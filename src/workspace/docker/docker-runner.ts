import path from "node:path";
import Docker from "dockerode";
import { execa } from "execa";
import { notStarted, type CommandRunner, type RunnerFactory, type RunOptions, type RunResult, type WorkspaceOptions } from "../runner.js";
import { execCommand } from "./exec-command.js";
import { defaultSandbox, OWNER_LABEL, WORKSPACE_LABEL, WORKSPACE_USER, type SandboxOptions } from "./sandbox-options.js";
import { WorkspaceError } from "./workspace-errors.js";

const MOUNT = "/workspace";
/** nobody: owns the container's idle process and nothing else. */
const KEEPER_UID = 65534;
const GVISOR_THREAD_HEADROOM = 512;
const containerEnv = [
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  "HOME=/tmp/home",
  "CI=true",
  "LANG=C.UTF-8",
  "NO_COLOR=1",
  "GIT_TERMINAL_PROMPT=0",
  "npm_config_cache=/tmp/npm-cache",
  "npm_config_update_notifier=false",
  // The worktree's git metadata is owned by the bot's user; git would otherwise refuse to read it.
  "GIT_CONFIG_COUNT=1",
  "GIT_CONFIG_KEY_0=safe.directory",
  "GIT_CONFIG_VALUE_0=*",
];

/**
 * A container per job on the local Docker engine: non-root, no capabilities, no new privileges,
 * read-only root filesystem, a tmpfs /tmp, only the job's worktree writable at /workspace, no
 * network while the agent works, limits on memory, CPU and processes. Nothing from the bot's own
 * environment, files or credentials is passed in.
 */
export class DockerRunnerFactory implements RunnerFactory {
  readonly name = "docker";
  readonly #docker: Docker;
  readonly #defaults: SandboxOptions;
  /** Identifies this bot's containers (one bot per data directory). */
  readonly #owner: string;

  constructor(options: { docker?: Docker; defaults?: Partial<SandboxOptions>; owner: string }) {
    this.#docker = options.docker ?? new Docker();
    this.#defaults = { ...defaultSandbox, ...options.defaults };
    this.#owner = options.owner;
  }

  get docker(): Docker {
    return this.#docker;
  }

  async create(hostPath: string, options: WorkspaceOptions = {}): Promise<CommandRunner> {
    const sandbox: SandboxOptions = {
      ...this.#defaults,
      ...options.sandbox,
      readOnlyMounts: [...this.#defaults.readOnlyMounts, ...(options.sandbox?.readOnlyMounts ?? [])],
    };
    await this.#checkImage(sandbox.image);
    const user = await this.#prepareOwnership(hostPath);
    const withNetwork = sandbox.setup !== null && sandbox.runtime === "runc";
    const spec: Docker.ContainerCreateOptions = {
      Image: sandbox.image,
      // The keep-alive process runs as a different unprivileged user than the commands, so a
      // runaway command's `kill -1` (or our own clean-up) cannot stop the container.
      Cmd: ["sleep", "infinity"],
      User: user.uid === KEEPER_UID ? `${KEEPER_UID - 1}` : `${KEEPER_UID}`,
      WorkingDir: MOUNT,
      Env: containerEnv,
      Labels: { [WORKSPACE_LABEL]: "1", [OWNER_LABEL]: this.#owner, "dev.coder-bot.name": options.name ?? path.basename(hostPath) },
      NetworkDisabled: !withNetwork,
      HostConfig: {
        Binds: [`${hostPath}:${MOUNT}:rw`, ...sandbox.readOnlyMounts.map((p) => `${p}:${p}:ro`)],
        ReadonlyRootfs: true,
        Tmpfs: { "/tmp": `rw,nosuid,nodev,exec,size=${sandbox.tmpfsMb}m,mode=1777` },
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges"],
        NetworkMode: withNetwork ? "bridge" : "none",
        Memory: sandbox.memoryMb * 1024 * 1024,
        MemorySwap: sandbox.memoryMb * 1024 * 1024,
        NanoCpus: Math.round(sandbox.cpus * 1e9),
        // Under gVisor the sandbox's own host threads count against the pids cgroup, and sandboxed
        // processes do not: the cgroup gets headroom and RLIMIT_NPROC, enforced inside the
        // sandbox, limits the processes. Under runc the cgroup limits them directly.
        PidsLimit: sandbox.runtime === "runsc" ? sandbox.pids + GVISOR_THREAD_HEADROOM : sandbox.pids,
        ...(sandbox.runtime === "runsc" ? { Ulimits: [{ Name: "nproc", Soft: sandbox.pids, Hard: sandbox.pids }] } : {}),
        Runtime: sandbox.runtime,
        Init: true,
        AutoRemove: false,
      },
    };
    let container: Docker.Container;
    try {
      container = await this.#docker.createContainer(spec);
    } catch (error) {
      const message = (error as Error).message;
      if (/unknown or invalid runtime/i.test(message)) {
        throw new WorkspaceError(
          "runtime-missing",
          `the Docker runtime "${sandbox.runtime}" is not configured`,
          "register runsc in /etc/docker/daemon.json (scripts/setup-docker.sh does) or set CODER_SANDBOX_RUNTIME=runc",
          error,
        );
      }
      throw new WorkspaceError(
        "engine-unreachable",
        `cannot create the workspace container: ${message}`,
        "check that the Docker engine runs (`coder-bot doctor`)",
        error,
      );
    }
    // A replacement container (after a crash inside it) never gets the setup's network back.
    const offline: Docker.ContainerCreateOptions = {
      ...spec,
      NetworkDisabled: true,
      HostConfig: { ...spec.HostConfig, NetworkMode: "none" },
    };
    const runner = new DockerRunner(this.#docker, container, user, () => this.#docker.createContainer(offline), sandbox.runtime);
    try {
      await runner.start();
      if (sandbox.setup !== null) await runner.setup(sandbox.setup, sandbox.setupTimeoutMs, withNetwork);
      return runner;
    } catch (error) {
      await runner.dispose();
      throw error;
    }
  }

  async #checkImage(image: string): Promise<void> {
    try {
      await this.#docker.getImage(image).inspect();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) {
        throw new WorkspaceError(
          "image-missing",
          `the workspace image ${image} does not exist on the bot's Docker host`,
          image.startsWith("coder-bot/")
            ? "build it with `scripts/build-images.sh`"
            : `pull or build ${image} on the bot's host (the bot never pulls images itself), or remove sandbox.image from .github/coder.yml`,
          error,
        );
      }
      throw new WorkspaceError(
        "engine-unreachable",
        `cannot reach the Docker engine: ${(error as Error).message}`,
        "start it (`scripts/setup-docker.sh`) or set DOCKER_HOST",
        error,
      );
    }
  }

  /**
   * The container's user must be able to write the worktree. When the bot runs as root the
   * worktree is handed to the workspace user; otherwise the container runs as the bot's own user.
   */
  async #prepareOwnership(hostPath: string): Promise<{ uid: number; gid: number }> {
    const uid = process.getuid?.() ?? WORKSPACE_USER.uid;
    const gid = process.getgid?.() ?? WORKSPACE_USER.gid;
    if (uid !== 0) return { uid, gid };
    await chownTree(hostPath, WORKSPACE_USER.uid, WORKSPACE_USER.gid);
    return WORKSPACE_USER;
  }

  /** Removes this bot's containers left behind by a crash; returns how many. */
  async removeOrphans(): Promise<number> {
    const containers = await this.#docker.listContainers({
      all: true,
      filters: { label: [`${WORKSPACE_LABEL}=1`, `${OWNER_LABEL}=${this.#owner}`] },
    });
    await Promise.all(
      containers.map((c) =>
        this.#docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
    return containers.length;
  }
}

export class DockerRunner implements CommandRunner {
  readonly #docker: Docker;
  #container: Docker.Container;
  readonly #recreate: () => Promise<Docker.Container>;
  readonly fileOwner: { readonly uid: number; readonly gid: number };
  #disposed = false;
  /** Told when the container stops (under gVisor a memory hog takes the whole sandbox down). */
  readonly #stopListeners = new Set<() => void>();
  #running = false;

  readonly #runtime: SandboxOptions["runtime"];

  constructor(
    docker: Docker,
    container: Docker.Container,
    owner: { uid: number; gid: number },
    recreate: () => Promise<Docker.Container>,
    runtime: SandboxOptions["runtime"],
  ) {
    this.#docker = docker;
    this.#container = container;
    this.fileOwner = owner;
    this.#recreate = recreate;
    this.#runtime = runtime;
  }

  /** Starts (or restarts) the container and watches for it to stop. */
  async start(): Promise<void> {
    await this.#container.start().catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 304) throw error; // 304: already running
    });
    this.#running = true;
    const container = this.#container;
    const stopped = () => {
      if (container !== this.#container) return; // a replaced container's late news
      this.#running = false;
      for (const listener of this.#stopListeners) listener();
    };
    void container.wait().then(stopped, stopped);
  }

  get id(): string {
    return this.#container.id;
  }

  async run(command: readonly string[] | { readonly shell: string }, options: RunOptions): Promise<RunResult> {
    if (options.signal?.aborted) return notStarted("the command was not started: the job is stopping", null);
    const argv = "shell" in command ? ["sh", "-c", command.shell] : [...command];
    const cwd = path.posix.normalize(path.posix.join(MOUNT, options.cwd ?? "."));
    if (cwd !== MOUNT && !cwd.startsWith(`${MOUNT}/`)) {
      return notStarted(`working directory ${options.cwd ?? "."} is outside the workspace`);
    }
    let restarted = this.#running ? "" : await this.#restart();
    const exec = () =>
      // Each command first ends whatever earlier commands left running (background jobs, a fork bomb's survivors).
      execCommand(this.#docker, this.#container, {
        argv,
        killLeftovers: true,
        workingDir: cwd,
        user: `${this.fileOwner.uid}:${this.fileOwner.gid}`,
        env: containerEnv,
        timeoutMs: options.timeoutMs,
        maxOutputBytes: options.maxOutputBytes ?? 64 * 1024,
        onContainerStop: (listener) => {
          this.#stopListeners.add(listener);
          return () => this.#stopListeners.delete(listener);
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
    // A container that stopped after the previous command (gVisor stops a sandbox that ran out of
    // memory a moment after the command that did it returned, and answers "try again" when its
    // process limit is full) refuses the exec: nothing ran, so a fresh container runs it.
    let result = await exec().catch((error: unknown) => {
      if (isStoppedContainerError(error)) return null;
      throw error;
    });
    if (result === null || isRuntimeRefusal(result)) {
      restarted = await this.#restart();
      result = await exec();
    }
    // 128: gVisor lost the sandbox while waiting for the command ("urpc … EOF").
    const suspicious = result.exitCode === null || result.exitCode === 126 || result.exitCode === 128 || result.exitCode === 137;
    const state = suspicious ? await this.#settledState() : null;
    if (state === null || state.Running) {
      // Under gVisor a process killed for memory takes the sandbox with it a moment later: start
      // the next command in a fresh container rather than in one that is going down.
      if (this.#runtime === "runsc" && result.exitCode === 137 && !result.timedOut) this.#running = false;
      return restarted ? { ...result, stderr: `${restarted}\n${result.stderr}` } : result;
    }
    this.#running = false;
    const why = state.OOMKilled ? "it ran out of memory" : "most likely it ran out of memory or processes";
    return {
      ...result,
      exitCode: 137,
      timedOut: false,
      stdout: result.exitCode === 126 ? "" : result.stdout,
      stderr: `${result.stderr}\n[the workspace stopped during this command (${why}); it is restarted for the next command, files in /workspace are kept]`,
    };
  }

  /** The container's state; a sandbox that is going down may still say "running" for a moment. */
  async #settledState(): Promise<Docker.ContainerInspectInfo["State"] | null> {
    const inspect = () =>
      this.#container.inspect().then(
        (i) => i.State,
        () => null,
      );
    const first = await inspect();
    if (!first?.Running) return first;
    await new Promise((resolve) => setTimeout(resolve, 300));
    return inspect();
  }

  /** A fresh container in place of one that stopped (a stopped gVisor sandbox does not start again cleanly). */
  async #restart(): Promise<string> {
    await this.#container.remove({ force: true }).catch(() => undefined);
    this.#container = await this.#recreate();
    await this.start();
    return "[the workspace was restarted after the previous command stopped it; /tmp was emptied]";
  }

  async quiesce(): Promise<void> {
    await this.run(["true"], { timeoutMs: 10_000, maxOutputBytes: 1024 });
  }

  async setup(command: string, timeoutMs: number, withNetwork: boolean): Promise<void> {
    const result = await this.run({ shell: command }, { timeoutMs, maxOutputBytes: 16 * 1024 });
    if (withNetwork) await this.#cutNetwork();
    if (result.exitCode !== 0) {
      const tail = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-15).join("\n");
      throw new WorkspaceError(
        "setup-failed",
        `the setup command \`${command}\` ${result.timedOut ? "timed out" : `failed (exit ${result.exitCode})`}:\n${tail}`,
        "fix sandbox.setup in .github/coder.yml",
      );
    }
  }

  async #cutNetwork(): Promise<void> {
    const info = await this.#container.inspect();
    for (const name of Object.keys(info.NetworkSettings.Networks ?? {})) {
      await this.#docker.getNetwork(name).disconnect({ Container: this.#container.id, Force: true });
    }
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#container.remove({ force: true }).catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 404) throw error;
    });
  }
}

function isStoppedContainerError(error: unknown): boolean {
  const status = (error as { statusCode?: number }).statusCode;
  return status === 409 || (status === 500 && /not running/.test((error as Error).message));
}

function isRuntimeRefusal(result: RunResult): boolean {
  return result.exitCode === 126 && /^(OCI runtime exec failed|cannot exec in a stopped state)/.test(result.stdout.trimStart());
}

/** `-h -P`: symbolic links are changed themselves and never followed, so a link to a host file stays harmless. */
async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await execa("chown", ["-R", "-h", "-P", `${uid}:${gid}`, "--", dir]);
}
