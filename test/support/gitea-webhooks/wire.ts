import { createHmac } from "node:crypto";
import type { RawJson } from "../raw-json.js";

/**
 * `X-Gitea-Event` for each `X-Gitea-Event-Type` (`HookEventType.Event()` in Gitea's
 * modules/webhook/type.go). Note `pull_request_comment` as an event *type* is a comment on a pull
 * request's conversation, while as an *event* it means a submitted review.
 */
const COARSE_EVENTS: Record<string, string> = {
  issue_comment: "issue_comment",
  pull_request_comment: "issue_comment",
  pull_request: "pull_request",
  pull_request_sync: "pull_request",
  pull_request_assign: "pull_request",
  pull_request_label: "pull_request",
  pull_request_milestone: "pull_request",
  pull_request_review_request: "pull_request",
  pull_request_review_approved: "pull_request_approved",
  pull_request_review_rejected: "pull_request_rejected",
  pull_request_review_comment: "pull_request_comment",
  issues: "issues",
  issue_assign: "issues",
  issue_label: "issues",
  issue_milestone: "issues",
  push: "push",
};

export function giteaCoarseEvent(eventType: string): string {
  return COARSE_EVENTS[eventType] ?? eventType;
}

/** The event type a pull request action arrives under (services/webhook/notifier.go). */
export function giteaPullRequestEventType(action: string): string {
  if (action === "synchronized") return "pull_request_sync";
  if (action === "assigned" || action === "unassigned") return "pull_request_assign";
  if (action === "label_updated" || action === "label_cleared") return "pull_request_label";
  if (action === "milestoned" || action === "demilestoned") return "pull_request_milestone";
  if (action === "review_requested" || action === "review_request_removed") return "pull_request_review_request";
  return "pull_request";
}

/**
 * A payload as Gitea stores and sends it: `json.MarshalIndent(p, "", "  ")`, whose encoder
 * escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings, with no trailing newline.
 */
export function serializeGiteaPayload(payload: RawJson): string {
  return JSON.stringify(payload, null, 2).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Hex HMACs of the exact payload bytes; an empty secret gives empty digests, as Gitea sends them. */
export function signGiteaPayload(secret: string, body: string): { sha256: string; sha1: string } {
  if (secret === "") return { sha256: "", sha1: "" };
  return {
    sha256: createHmac("sha256", secret).update(body, "utf8").digest("hex"),
    sha1: createHmac("sha1", secret).update(body, "utf8").digest("hex"),
  };
}

export interface GiteaHeaderOptions {
  secret: string;
  deliveryId: string;
  /** Adds Forgejo's `X-Forgejo-*` headers, which it sends first. */
  forgejo?: boolean;
  /** Replaces every signature with this hex digest; null leaves the signature headers out. */
  signature?: string | null;
}

/** The header set of a `gitea` webhook delivery, in the order and spelling of the kit's `deliveries.json`. */
export function giteaDeliveryHeaders(eventType: string, body: string, options: GiteaHeaderOptions): Record<string, string> {
  const event = giteaCoarseEvent(eventType);
  const { signature } = options;
  const digests =
    signature === null ? null : signature === undefined ? signGiteaPayload(options.secret, body) : { sha256: signature, sha1: signature };
  const signed = (name: string, value: (hex: { sha256: string; sha1: string }) => string): Record<string, string> =>
    digests === null ? {} : { [name]: value(digests) };
  const forgejo = options.forgejo
    ? {
        "X-Forgejo-Delivery": options.deliveryId,
        "X-Forgejo-Event": event,
        "X-Forgejo-Event-Type": eventType,
        ...signed("X-Forgejo-Signature", (hex) => hex.sha256),
      }
    : {};
  return {
    ...forgejo,
    "Content-Type": "application/json",
    "X-Gitea-Delivery": options.deliveryId,
    "X-Gitea-Event": event,
    "X-Gitea-Event-Type": eventType,
    ...signed("X-Gitea-Signature", (hex) => hex.sha256),
    "X-Gogs-Delivery": options.deliveryId,
    "X-Gogs-Event": event,
    "X-Gogs-Event-Type": eventType,
    ...signed("X-Gogs-Signature", (hex) => hex.sha256),
    ...signed("X-Hub-Signature", (hex) => `sha1=${hex.sha1}`),
    ...signed("X-Hub-Signature-256", (hex) => `sha256=${hex.sha256}`),
    "X-GitHub-Delivery": options.deliveryId,
    "X-GitHub-Event": event,
    "X-GitHub-Event-Type": eventType,
  };
}
