import type { RepoConfig } from "../config/repo-config.js";
import type { SandboxOptions } from "./docker/sandbox-options.js";

/** The container settings a repository's coder.yml asks for; the runtime stays the operator's choice. */
export function sandboxFor(config: RepoConfig, mirror: string): Partial<SandboxOptions> {
  const { sandbox } = config;
  return {
    ...(sandbox.image ? { image: sandbox.image } : {}),
    setup: sandbox.setup,
    setupTimeoutMs: sandbox.setupTimeoutMinutes * 60_000,
    memoryMb: sandbox.memoryMb,
    cpus: sandbox.cpus,
    pids: sandbox.pids,
    // The worktree's git metadata lives in the mirror; the agent may read it, never write it.
    readOnlyMounts: [mirror],
  };
}
