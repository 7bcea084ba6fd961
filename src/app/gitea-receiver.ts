import type { ServerResponse } from "node:http";
import { giteaEvent } from "../forge/gitea/narrow.js";
import { verifyDelivery } from "../forge/gitea/verify-delivery.js";
import { PayloadError } from "../forge/payload-error.js";
import type { Logger } from "../jobs/logger.js";
import type { JobQueue } from "../queue/job-queue.js";
import { routeEvent, type RouteOptions } from "../triggers/route-event.js";
import type { HttpHandler } from "./http-server.js";
import { readBody } from "./read-body.js";

/** Gitea's largest deliveries are pushes of many commits; far beyond that is not a delivery. */
const BODY_LIMIT = 25 * 1024 * 1024;

function answer(response: ServerResponse, status: number, body: Record<string, unknown>): true {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  return true;
}

/**
 * `POST /api/gitea/webhooks`: verify the signature, narrow the payload into a forge event, store
 * the job it makes, answer. No API call happens before the answer; the worker is woken after it.
 */
export function giteaReceiver(options: {
  readonly path: string;
  readonly secret: string;
  readonly botLogin: string;
  readonly queue: JobQueue;
  readonly route: RouteOptions;
  readonly onQueued: () => void;
  readonly log: Logger;
}): HttpHandler {
  return async (request, response) => {
    const trimmed = (path: string) => path.replace(/\/+$/, "") || "/";
    if (trimmed(new URL(request.url ?? "/", "http://localhost").pathname) !== trimmed(options.path)) return false;
    if (request.method !== "POST") return answer(response, 405, { message: "Gitea delivers webhooks with POST" });
    const body = await readBody(request, BODY_LIMIT);
    if (body === null) return answer(response, 413, { message: "the delivery is too large" });
    const verified = verifyDelivery(request.headers, body, options.secret);
    if (!verified.ok) {
      options.log.warn({ status: verified.status, why: verified.why }, "Gitea delivery refused");
      return answer(response, verified.status, { message: verified.why });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(verified.payload);
    } catch {
      return answer(response, 400, { message: "the payload is not JSON" });
    }
    let event;
    try {
      event = giteaEvent(verified.eventType, verified.deliveryId, payload, { botLogin: options.botLogin });
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      return answer(response, 400, { message: error.message });
    }
    if (!event) return answer(response, 200, { ignored: `${verified.eventType} is not an event coder-bot acts on` });
    const outcome = await routeEvent(event, options.queue, options.route);
    if (outcome.action === "ignored") return answer(response, 200, { ignored: outcome.why });
    options.log.info(
      { job: outcome.jobId, kind: outcome.kind, duplicate: outcome.action === "duplicate", forge: "gitea" },
      `${outcome.kind} job queued`,
    );
    answer(response, 200, { job: outcome.jobId, duplicate: outcome.action === "duplicate" });
    // After the response: the acknowledgement must not wait for, or race with, any API call.
    setImmediate(options.onQueued);
    return true;
  };
}
