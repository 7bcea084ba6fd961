import { createNodeMiddleware, Probot, type ApplicationFunction } from "probot";
import type { Env } from "../config/env.js";
import type { Forge } from "../forge/forge.js";
import type { GitHubAddress } from "../forge/github/github-address.js";
import { GitHubForge } from "../forge/github/github-forge.js";
import { githubEvent, githubWebhookEvents } from "../forge/github/narrow.js";
import type { JobQueue } from "../queue/job-queue.js";
import { routeEvent, type RouteOptions } from "../triggers/route-event.js";
import type { HttpHandler } from "./http-server.js";
import type { Logger } from "pino";

/** The GitHub adapter: a forge acting as the App installation an address names. */
export type GitHubAdapter = (address: GitHubAddress) => Promise<Forge>;

export interface GitHubReceiver {
  /** `POST /api/github/webhooks` (or `WEBHOOK_PATH`), verified by Probot. */
  readonly handler: HttpHandler;
  readonly adapter: GitHubAdapter;
}

export function githubBaseUrl(env: Env): string | undefined {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3` : undefined;
}

/**
 * The Probot application. Its webhook side only narrows each delivery into a forge event and
 * stores the job it makes; everything that talks to GitHub happens in the workers, through the
 * adapter this returns.
 */
export async function githubReceiver(
  env: Env,
  queue: JobQueue,
  options: RouteOptions & { readonly onQueued: () => void; readonly log: Logger },
): Promise<GitHubReceiver> {
  const probot = new Probot({
    appId: env.APP_ID,
    privateKey: env.privateKey,
    secret: env.WEBHOOK_SECRET,
    log: options.log,
    ...(githubBaseUrl(env) ? { baseUrl: githubBaseUrl(env) } : {}),
  });
  const appFn: ApplicationFunction = (app) => {
    app.on([...githubWebhookEvents], async (context) => {
      const event = githubEvent(context.name, context.id, context.payload);
      if (!event) return;
      const outcome = await routeEvent(event, queue, options);
      if (outcome.action === "ignored") return;
      context.log.info({ job: outcome.jobId, kind: outcome.kind, duplicate: outcome.action === "duplicate" }, `${outcome.kind} job queued`);
      // After the response: the acknowledgement must not wait for, or race with, any API call.
      setImmediate(options.onQueued);
    });
  };
  const middleware = await createNodeMiddleware(appFn, { probot, webhooksPath: env.WEBHOOK_PATH });
  return {
    handler: async (request, response) => (await middleware(request, response)) === true,
    adapter: async (address) => {
      if (address.installationId === null) throw new Error("the delivery has no installation; install the App on the repository");
      return new GitHubForge(await probot.auth(address.installationId));
    },
  };
}
