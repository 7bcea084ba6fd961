import { createHash } from "node:crypto";
import path from "node:path";
import type { Env } from "../config/env.js";
import { fixSteps, type FixSteps } from "../fix/fix-steps.js";
import { openCodeIndex, type OpenedCodeIndex } from "../index/open-code-index.js";
import { providerFor } from "../llm/provider-for.js";
import { ReviewHistory } from "../review/review-history.js";
import type { LlmProvider } from "../llm/types.js";
import type { JobQueue } from "../queue/job-queue.js";
import { SqliteQueue } from "../queue/sqlite-queue.js";
import { openDatabase, type Database } from "../store/database.js";
import { RunStore } from "../store/run-store.js";
import { DockerRunnerFactory } from "../workspace/docker/docker-runner.js";
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
  readonly reviews: ReviewHistory;
  /** The code index; null when switched off (CODER_INDEX=off). */
  readonly codeIndex: OpenedCodeIndex | null;
  /** The steps of a fix; the same ones `coder-bot fix` runs. */
  readonly fixSteps: FixSteps;
}

/** The runner the environment asks for: a container per job by default, the host only on request. */
export function runnerFactoryFor(
  env: Pick<Env, "CODER_RUNNER" | "CODER_SANDBOX_RUNTIME" | "CODER_WORKSPACE_IMAGE" | "CODER_DATA_DIR">,
): RunnerFactory {
  if (env.CODER_RUNNER === "host") return new HostRunnerFactory();
  return new DockerRunnerFactory({
    defaults: { runtime: env.CODER_SANDBOX_RUNTIME, image: env.CODER_WORKSPACE_IMAGE },
    owner: ownerLabel(env.CODER_DATA_DIR),
  });
}

/** Containers are labelled with their bot's data directory, so two bots on one engine never remove each other's. */
export function ownerLabel(dataDir: string): string {
  return createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 16);
}

export function buildServices(
  env: Env,
  overrides: Partial<Pick<Services, "provider" | "runners" | "codeIndex" | "fixSteps">> = {},
): Services {
  const db = openDatabase(env.CODER_DATA_DIR);
  return {
    db,
    queue: new SqliteQueue(db),
    runs: new RunStore(db),
    mirrors: new MirrorCache(path.join(env.CODER_DATA_DIR, "mirrors")),
    worktrees: new Worktrees(path.join(env.CODER_DATA_DIR, "worktrees")),
    runners: overrides.runners ?? runnerFactoryFor(env),
    provider: overrides.provider ?? providerFor(env),
    reviews: new ReviewHistory(db),
    codeIndex: overrides.codeIndex !== undefined ? overrides.codeIndex : openCodeIndex(env, db),
    fixSteps: overrides.fixSteps ?? fixSteps,
  };
}
