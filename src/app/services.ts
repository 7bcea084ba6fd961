import path from "node:path";
import type { Env } from "../config/env.js";
import { OllamaProvider } from "../llm/ollama-provider.js";
import type { LlmProvider } from "../llm/types.js";
import type { JobQueue } from "../queue/job.js";
import { SqliteQueue } from "../queue/sqlite-queue.js";
import { openDatabase, type Database } from "../store/database.js";
import { RunStore } from "../store/run-store.js";
import { HostRunnerFactory } from "../workspace/host-runner.js";
import { MirrorCache } from "../workspace/mirror-cache.js";
import type { RunnerFactory } from "../workspace/runner.js";
import { Worktrees } from "../workspace/worktrees.js";

/** Everything a worker needs, built once from the validated environment. */
export interface Services {
  readonly db: Database;
  readonly queue: JobQueue;
  readonly runs: RunStore;
  readonly mirrors: MirrorCache;
  readonly worktrees: Worktrees;
  readonly runners: RunnerFactory;
  readonly provider: LlmProvider;
}

export class UnavailableRunnerFactory implements RunnerFactory {
  readonly name: string;
  readonly #why: string;
  constructor(name: string, why: string) {
    this.name = name;
    this.#why = why;
  }
  async create(): Promise<never> {
    throw new Error(this.#why);
  }
}

export function runnerFactoryFor(kind: Env["CODER_RUNNER"]): RunnerFactory {
  if (kind === "host") return new HostRunnerFactory();
  return new UnavailableRunnerFactory(
    "docker",
    "the Docker workspace runner is not part of this build yet; set CODER_RUNNER=host to run the agent's commands directly on this machine (no isolation: only for repositories and issue authors you trust)",
  );
}

export function buildServices(env: Env, overrides: Partial<Pick<Services, "provider" | "runners">> = {}): Services {
  const db = openDatabase(env.CODER_DATA_DIR);
  return {
    db,
    queue: new SqliteQueue(db),
    runs: new RunStore(db),
    mirrors: new MirrorCache(path.join(env.CODER_DATA_DIR, "mirrors")),
    worktrees: new Worktrees(path.join(env.CODER_DATA_DIR, "worktrees")),
    runners: overrides.runners ?? runnerFactoryFor(env.CODER_RUNNER),
    provider: overrides.provider ?? new OllamaProvider({ host: env.OLLAMA_HOST, model: env.CODER_MODEL, contextSize: env.CODER_CONTEXT_SIZE }),
  };
}
