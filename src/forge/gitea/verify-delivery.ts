import { createHmac, timingSafeEqual } from "node:crypto";

/** The headers a Gitea delivery carries; Forgejo sends the same values under `X-Forgejo-*` too. */
export interface DeliveryHeaders {
  readonly [name: string]: string | string[] | undefined;
}

export type VerifiedDelivery =
  | { readonly ok: true; readonly deliveryId: string; readonly eventType: string; readonly payload: string }
  | { readonly ok: false; readonly status: 400 | 401; readonly why: string };

function header(headers: DeliveryHeaders, ...names: string[]): string {
  for (const name of names) {
    const value = headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text) return text.trim();
  }
  return "";
}

/**
 * Checks a delivery before anything reads it: the HMAC-SHA256 of the payload with the webhook
 * secret, hex, in `X-Gitea-Signature` (or Forgejo's or Gogs' header), compared in constant time.
 * Gitea signs the payload JSON itself, so a form-encoded delivery is checked on its `payload` field.
 */
export function verifyDelivery(headers: DeliveryHeaders, body: Buffer, secret: string): VerifiedDelivery {
  const signature = header(headers, "x-gitea-signature", "x-forgejo-signature", "x-gogs-signature").toLowerCase();
  if (!signature) return { ok: false, status: 401, why: "the delivery is not signed: set the webhook's secret to GITEA_WEBHOOK_SECRET" };
  const contentType = header(headers, "content-type").toLowerCase();
  const payload = contentType.startsWith("application/x-www-form-urlencoded")
    ? (new URLSearchParams(body.toString("utf8")).get("payload") ?? "")
    : body.toString("utf8");
  const expected = createHmac("sha256", secret).update(payload, "utf8").digest("hex");
  const given = Buffer.from(signature, "utf8");
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected, "utf8"))) {
    return { ok: false, status: 401, why: "the signature does not match: the webhook's secret differs from GITEA_WEBHOOK_SECRET" };
  }
  const deliveryId = header(headers, "x-gitea-delivery", "x-forgejo-delivery", "x-gogs-delivery");
  const eventType = header(headers, "x-gitea-event-type", "x-forgejo-event-type", "x-gogs-event-type", "x-gitea-event");
  if (!deliveryId || !eventType)
    return { ok: false, status: 400, why: "the delivery has no X-Gitea-Delivery or X-Gitea-Event-Type header" };
  return { ok: true, deliveryId, eventType, payload };
}
