import { chown, lstat, readdir } from "node:fs/promises";
import path from "node:path";
import Docker from "dockerode";
import type { CommandRunner, RunnerFactory, RunOptions, RunResult, WorkspaceOptions } from "../runner.js";
import { execCommand } from "./exec-command.js";
import { defaultSandbox, OWNER_LABEL, WORKSPACE_LABEL, WORKSPACE_USER, type SandboxOptions } from "./sandbox-options.js";
import { WorkspaceError } from "./workspace-errors.js";

const MOUNT = "/workspace";
const containerEnv = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp/home", "CI=true", "LANG=C.UTF-8", "NO_COLOR=1", "GIT_TERMINAL_PROMPT=0", "npm_config_cache=/tmp/npm-cache", "npm_config_update_notifier=false",
  // The worktree's git metadata is owned by the bot's user; git would otherwise refuse to read it.
  "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=safe.directory", "GIT_CONFIG_VALUE_0=*"];

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
    const sandbox: SandboxOptions = { ...this.#defaults, ...options.sandbox, readOnlyMounts: [...this.#defaults.readOnlyMounts, ...(options.sandbox?.readOnlyMounts ?? [])] };
    await this.#checkImage(sandbox.image);
    const user = await this.#prepareOwnership(hostPath);
    const withNetwork = sandbox.setup !== null && sandbox.runtime === "runc";
    let container: Docker.Container;
    try {
      container = await this.#docker.createContainer({
        Image: sandbox.image,
        Cmd: ["sleep", "infinity"],
        User: `${user.uid}:${user.gid}`,
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
          PidsLimit: sandbox.pids,
          Runtime: sandbox.runtime,
          Init: true,
          AutoRemove: false,
        },
      });
    } catch (error) {
      const message = (error as Error).message;
      if (/unknown or invalid runtime/i.test(message)) {
        throw new WorkspaceError("runtime-missing", `the Docker runtime "${sandbox.runtime}" is not configured`, "register runsc in /etc/docker/daemon.json (scripts/setup-docker.sh does) or set CODER_SANDBOX_RUNTIME=runc", error);
      }
      throw new WorkspaceError("engine-unreachable", `cannot create the workspace container: ${message}`, "check that the Docker engine runs (`coder-bot doctor`)", error);
    }
    const runner = new DockerRunner(this.#docker, container, user);
    try {
      await container.start();
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
        throw new WorkspaceError("image-missing", `the workspace image ${image} does not exist on the bot's Docker host`, image.startsWith("coder-bot/") ? "build it with `scripts/build-images.sh`" : `pull or build ${image} on the bot's host (the bot never pulls images itself), or remove sandbox.image from .github/coder.yml`, error);
      }
      throw new WorkspaceError("engine-unreachable", `cannot reach the Docker engine: ${(error as Error).message}`, "start it (`scripts/setup-docker.sh`) or set DOCKER_HOST", error);
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
    const containers = await this.#docker.listContainers({ all: true, filters: { label: [`${WORKSPACE_LABEL}=1`, `${OWNER_LABEL}=${this.#owner}`] } });
    await Promise.all(containers.map((c) => this.#docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    return containers.length;
  }
}

export class DockerRunner implements CommandRunner {
  readonly #docker: Docker;
  readonly #container: Docker.Container;
  readonly fileOwner: { readonly uid: number; readonly gid: number };
  #disposed = false;

  constructor(docker: Docker, container: Docker.Container, owner: { uid: number; gid: number }) {
    this.#docker = docker;
    this.#container = container;
    this.fileOwner = owner;
  }

  get id(): string {
    return this.#container.id;
  }

  async run(command: readonly string[] | { readonly shell: string }, options: RunOptions): Promise<RunResult> {
    if (options.signal?.aborted) return { exitCode: null, stdout: "", stderr: "the command was not started: the job is stopping", timedOut: false, truncatedBytes: 0, durationMs: 0 };
    const argv = Array.isArray(command) ? [...command] : ["sh", "-c", (command as { shell: string }).shell];
    const cwd = path.posix.normalize(path.posix.join(MOUNT, options.cwd ?? "."));
    if (cwd !== MOUNT && !cwd.startsWith(`${MOUNT}/`)) {
      return { exitCode: 127, stdout: "", stderr: `working directory ${options.cwd ?? "."} is outside the workspace`, timedOut: false, truncatedBytes: 0, durationMs: 0 };
    }
    const result = await execCommand(this.#docker, this.#container, {
      argv,
      workingDir: cwd,
      user: `${this.fileOwner.uid}:${this.fileOwner.gid}`,
      env: containerEnv,
      timeoutMs: options.timeoutMs,
      maxOutputBytes: options.maxOutputBytes ?? 64 * 1024,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    // A command that was cut off may have left children (daemons, a fork bomb's survivors).
    if (result.timedOut || options.signal?.aborted) await this.#killStragglers();
    return result;
  }

  async setup(command: string, timeoutMs: number, withNetwork: boolean): Promise<void> {
    const result = await this.run({ shell: command }, { timeoutMs, maxOutputBytes: 16 * 1024 });
    if (withNetwork) await this.#cutNetwork();
    if (result.exitCode !== 0) {
      const tail = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-15).join("\n");
      throw new WorkspaceError("setup-failed", `the setup command \`${command}\` ${result.timedOut ? "timed out" : `failed (exit ${result.exitCode})`}:\n${tail}`, "fix sandbox.setup in .github/coder.yml");
    }
  }

  async #cutNetwork(): Promise<void> {
    const info = await this.#container.inspect();
    for (const name of Object.keys(info.NetworkSettings.Networks ?? {})) {
      await this.#docker.getNetwork(name).disconnect({ Container: this.#container.id, Force: true });
    }
  }

  async #killStragglers(): Promise<void> {
    // As the workspace user, `kill -KILL -1` reaches every process that user may signal; the
    // container's init (pid 1) is not among them.
    await execCommand(this.#docker, this.#container, { argv: ["sh", "-c", "kill -KILL -1 2>/dev/null; true"], workingDir: MOUNT, user: `${this.fileOwner.uid}:${this.fileOwner.gid}`, env: containerEnv, timeoutMs: 10_000, maxOutputBytes: 1024 }).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#container.remove({ force: true }).catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 404) throw error;
    });
  }
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid);
  const entries = await readdir(dir, { withFileTypes: true });
  await Promise.all(
    entries.map(async (entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return chownTree(full, uid, gid);
      const info = await lstat(full);
      if (info.isSymbolicLink()) return undefined; // lchown is not needed: the container follows nothing on the host
      return chown(full, uid, gid);
    }),
  );
}
