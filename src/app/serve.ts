import { Probot, Server, run as runProbotSetup } from "probot";
import type { Env } from "../config/env.js";
import { Forges } from "../forge/forges.js";
import { dispatcher } from "../jobs/dispatch.js";
import { WorkerPool } from "../queue/worker-pool.js";
import { startReconcileTimer } from "../triggers/reconcile.js";
import { DockerRunnerFactory } from "../workspace/docker/docker-runner.js";
import { createGitHubApp } from "./github-app.js";
import { jobHandlers } from "./job-handlers.js";
import { createLogger } from "./logger.js";
import { deploymentSecrets } from "./secrets.js";
import { buildServices, type Services } from "./services.js";

export interface RunningBot {
  readonly server: Server;
  readonly services: Services;
  /** Where the server listens, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  stop(): Promise<void>;
}

export function githubBaseUrl(env: Env): string | undefined {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3` : undefined;
}

/**
 * Starts the webhook server and the workers. Without App credentials, starts Probot's
 * registration flow instead (it reads app.yml and writes the credentials to .env).
 */
export type ServeOverrides = Parameters<typeof buildServices>[1];

export async function serve(env: Env, overrides: ServeOverrides = {}): Promise<RunningBot | null> {
  if (!env.hasCredentials) {
    console.log(
      `No GitHub App credentials (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET).\nOpen http://${env.HOST ?? "localhost"}:${env.PORT} to register the App from app.yml; the credentials are saved to .env. Then start the bot again.`,
    );
    // Smee (a public webhook relay) is Probot's development default; a self-hosted bot does not
    // send its webhooks through a third party unless asked to with WEBHOOK_PROXY_URL.
    process.env.NO_SMEE_SETUP ??= "true";
    await runProbotSetup(() => undefined, { env: { ...process.env, PORT: String(env.PORT), ...(env.HOST ? { HOST: env.HOST } : {}) } });
    return null;
  }
  const services = buildServices(env, overrides);
  // Nothing runs yet: whatever a previous process left behind is an orphan.
  await services.worktrees.removeAll();
  if (services.runners instanceof DockerRunnerFactory) {
    const removed = await services.runners.removeOrphans().catch(() => 0);
    if (removed > 0) console.warn(`removed ${removed} workspace container(s) left by a previous run`);
  }
  const secrets = deploymentSecrets(env);
  const log = createLogger(env.LOG_LEVEL, secrets);
  let workers: WorkerPool | undefined;
  const github = createGitHubApp(services.queue, {
    maxAttempts: env.CODER_MAX_ATTEMPTS,
    indexing: services.codeIndex !== null,
    onQueued: () => workers?.wake(),
  });
  const server = new Server({
    log,
    port: env.PORT,
    ...(env.HOST ? { host: env.HOST } : {}),
    webhookPath: env.WEBHOOK_PATH,
    Probot: Probot.defaults({
      appId: env.APP_ID!,
      privateKey: env.privateKey!,
      secret: env.WEBHOOK_SECRET!,
      log,
      ...(githubBaseUrl(env) ? { baseUrl: githubBaseUrl(env) } : {}),
    }),
  });
  await server.load(github.appFn);
  const forges = new Forges({ github: await github.adapter }, secrets);
  const pool = new WorkerPool({
    queue: services.queue,
    dispatch: dispatcher(jobHandlers(env, services, forges, log)),
    concurrency: env.CODER_CONCURRENCY,
    log,
  });
  workers = pool;
  const http = await server.start();
  const address = http.address();
  const url =
    typeof address === "object" && address
      ? `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`
      : `http://localhost:${env.PORT}`;
  if (env.CODER_CONCURRENCY > 0) await pool.start();
  const stopReconcile = services.codeIndex
    ? startReconcileTimer(services.queue, env.CODER_INDEX_INTERVAL_MINUTES, {
        maxAttempts: env.CODER_MAX_ATTEMPTS,
        onQueued: (count) => {
          log.info({ count }, "periodic re-index queued");
          pool.wake();
        },
        onError: (error) => log.warn({ err: error }, "periodic re-index could not be queued"),
        onSkipped: (repoKey, reason) => log.warn({ repo: repoKey, reason }, "periodic re-index skipped a repository"),
      })
    : () => undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      stopReconcile();
      await server.stop();
      await pool.stop();
      await services.codeIndex?.close();
      await services.provider.close?.();
      services.db.close();
    })());
  return { server, services, url, stop };
}
