import { run as runProbotSetup } from "probot";
import type { Env } from "../config/env.js";
import { Forges, type ForgeAdapters } from "../forge/forges.js";
import { dispatcher } from "../jobs/dispatch.js";
import { WorkerPool } from "../queue/worker-pool.js";
import { startReconcileTimer } from "../triggers/reconcile.js";
import { DockerRunnerFactory } from "../workspace/docker/docker-runner.js";
import { giteaReceiver } from "./gitea-receiver.js";
import { setUpGitea } from "./gitea-setup.js";
import { githubReceiver } from "./github-app.js";
import { pingHandler, startHttpServer, type HttpHandler } from "./http-server.js";
import { jobHandlers } from "./job-handlers.js";
import { createLogger } from "./logger.js";
import { deploymentSecrets } from "./secrets.js";
import { buildServices, type Services } from "./services.js";

export interface RunningBot {
  readonly services: Services;
  /** Where the server listens, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  stop(): Promise<void>;
}

export type ServeOverrides = Parameters<typeof buildServices>[1];

/**
 * Starts the webhook server and the workers, for GitHub (the App), for a Gitea or Forgejo server,
 * or for both at once on one port. With neither configured, starts Probot's registration flow
 * instead (it reads app.yml and writes the App's credentials to .env).
 */
export async function serve(env: Env, overrides: ServeOverrides = {}): Promise<RunningBot | null> {
  if (!env.hasCredentials && !env.hasGitea) {
    console.log(
      `No GitHub App credentials (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET) and no Gitea server (GITEA_URL, GITEA_TOKEN, GITEA_WEBHOOK_SECRET).\nOpen http://${env.HOST ?? "localhost"}:${env.PORT} to register the GitHub App from app.yml; the credentials are saved to .env. Then start the bot again.`,
    );
    // Smee (a public webhook relay) is Probot's development default; a self-hosted bot does not
    // send its webhooks through a third party unless asked to with WEBHOOK_PROXY_URL.
    process.env.NO_SMEE_SETUP ??= "true";
    await runProbotSetup(() => undefined, { env: { ...process.env, PORT: String(env.PORT), ...(env.HOST ? { HOST: env.HOST } : {}) } });
    return null;
  }
  const secrets = deploymentSecrets(env);
  const log = createLogger(env.LOG_LEVEL, secrets);
  // Before anything is stored or served: a Gitea token that cannot work stops the start, saying why.
  const gitea = env.hasGitea ? await setUpGitea(env, log) : null;
  const services = buildServices(env, overrides);
  // Nothing runs yet: whatever a previous process left behind is an orphan.
  await services.worktrees.removeAll();
  if (services.runners instanceof DockerRunnerFactory) {
    const removed = await services.runners.removeOrphans().catch(() => 0);
    if (removed > 0) console.warn(`removed ${removed} workspace container(s) left by a previous run`);
  }
  let workers: WorkerPool | undefined;
  const route = { maxAttempts: env.CODER_MAX_ATTEMPTS, indexing: services.codeIndex !== null, onQueued: () => workers?.wake() };
  const handlers: HttpHandler[] = [pingHandler];
  const adapters: { -readonly [K in keyof ForgeAdapters]: ForgeAdapters[K] } = {};
  if (gitea) {
    handlers.push(
      giteaReceiver({
        path: env.GITEA_WEBHOOK_PATH,
        secret: env.GITEA_WEBHOOK_SECRET ?? "",
        botLogin: gitea.botLogin,
        queue: services.queue,
        route,
        onQueued: route.onQueued,
        log,
      }),
    );
    adapters.gitea = gitea.adapter;
  }
  if (env.hasCredentials) {
    const github = await githubReceiver(env, services.queue, { ...route, log });
    handlers.push(github.handler);
    adapters.github = github.adapter;
  }
  const forges = new Forges(adapters, secrets);
  const pool = new WorkerPool({
    queue: services.queue,
    dispatch: dispatcher(jobHandlers(env, services, forges, log)),
    concurrency: env.CODER_CONCURRENCY,
    log,
  });
  workers = pool;
  const http = await startHttpServer(handlers, { port: env.PORT, host: env.HOST, log });
  log.info({ url: http.url, forges: Object.keys(adapters) }, "coder-bot is listening");
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
      await http.close();
      await pool.stop();
      await services.codeIndex?.close();
      await services.provider.close?.();
      services.db.close();
    })());
  return { services, url: http.url, stop };
}
