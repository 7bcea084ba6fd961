import type { ApplicationFunction, Probot } from "probot";
import type { Forge } from "../forge/forge.js";
import type { GitHubAddress } from "../forge/github/github-address.js";
import { GitHubForge } from "../forge/github/github-forge.js";
import { githubEvent, githubWebhookEvents } from "../forge/github/narrow.js";
import type { JobQueue } from "../queue/job-queue.js";
import { routeEvent, type RouteOptions } from "../triggers/route-event.js";

/** The GitHub adapter: a forge acting as the App installation an address names. */
export type GitHubAdapter = (address: GitHubAddress) => Promise<Forge>;

export interface GitHubApp {
  readonly appFn: ApplicationFunction;
  /** Resolves once Probot has loaded the app and can authenticate as its installations. */
  readonly adapter: Promise<GitHubAdapter>;
}

/**
 * The Probot application. Its webhook side only narrows each delivery into a forge event and
 * stores the job it makes; everything that talks to GitHub happens in the workers, through the
 * adapter this returns.
 */
export function createGitHubApp(queue: JobQueue, options: RouteOptions & { readonly onQueued: () => void }): GitHubApp {
  let resolveAdapter!: (adapter: GitHubAdapter) => void;
  const adapter = new Promise<GitHubAdapter>((resolve) => (resolveAdapter = resolve));

  const appFn: ApplicationFunction = (app: Probot) => {
    app.on([...githubWebhookEvents], async (context) => {
      const event = githubEvent(context.name, context.id, context.payload);
      if (!event) return;
      const outcome = await routeEvent(event, queue, options);
      if (outcome.action === "ignored") return;
      context.log.info({ job: outcome.jobId, kind: outcome.kind, duplicate: outcome.action === "duplicate" }, `${outcome.kind} job queued`);
      // After the response: the acknowledgement must not wait for, or race with, any API call.
      setImmediate(options.onQueued);
    });
    resolveAdapter(async (address) => {
      if (address.installationId === null) throw new Error("the delivery has no installation; install the App on the repository");
      return new GitHubForge(await app.auth(address.installationId));
    });
  };
  return { appFn, adapter };
}
