/** How one job's container is confined. Defaults are safe; a repository may loosen within limits. */
export interface SandboxOptions {
  readonly image: string;
  readonly runtime: "runc" | "runsc";
  readonly memoryMb: number;
  readonly cpus: number;
  readonly pids: number;
  readonly tmpfsMb: number;
  /** Runs before the agent, with network (runc only), to install dependencies; then the network is cut. */
  readonly setup: string | null;
  readonly setupTimeoutMs: number;
  /** Host paths mounted read-only at the same path (the mirror that holds the worktree's git metadata). */
  readonly readOnlyMounts: readonly string[];
}

export const DEFAULT_WORKSPACE_IMAGE = "coder-bot/workspace:latest";

export const defaultSandbox: SandboxOptions = {
  image: DEFAULT_WORKSPACE_IMAGE,
  runtime: "runc",
  memoryMb: 2048,
  cpus: 1,
  pids: 256,
  tmpfsMb: 512,
  setup: null,
  setupTimeoutMs: 10 * 60_000,
  readOnlyMounts: [],
};

/** The label every workspace container carries, so leftovers are found after a crash. */
export const WORKSPACE_LABEL = "dev.coder-bot.workspace";
export const OWNER_LABEL = "dev.coder-bot.owner";

/** The user commands run as inside the container (the image creates it). */
export const WORKSPACE_USER = { uid: 1000, gid: 1000 } as const;
