import type { ForgeEvent } from "../forge/events.js";
import type { JobQueue } from "../queue/job-queue.js";
import { onComment } from "./on-comment.js";
import { onPullRequest } from "./on-pull-request.js";
import { onPush } from "./on-push.js";
import type { TriggerOutcome } from "./trigger-outcome.js";

export interface RouteOptions {
  readonly maxAttempts: number;
  /** False when the code index is switched off: pushes then start nothing. */
  readonly indexing: boolean;
}

/**
 * Every forge's deliveries end here, as forge-neutral events: a comment, a pull request that
 * changed, a push. Each becomes at most one durable job; no API call is made.
 */
export function routeEvent(event: ForgeEvent, queue: JobQueue, options: RouteOptions): Promise<TriggerOutcome> {
  switch (event.type) {
    case "comment":
      return onComment(event, queue, options);
    case "pull-request":
      return onPullRequest(event, queue, options);
    case "push":
      return options.indexing
        ? onPush(event, queue, options)
        : Promise.resolve({ action: "ignored", why: "the code index is switched off" });
  }
}
