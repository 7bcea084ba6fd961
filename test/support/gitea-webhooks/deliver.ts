import { randomUUID } from "node:crypto";
import type { RawJson } from "../raw-json.js";
import { giteaDeliveryHeaders, serializeGiteaPayload } from "./wire.js";

export interface GiteaDeliveryOptions {
  secret: string;
  deliveryId?: string;
  /** Sends Forgejo's `X-Forgejo-*` headers as well. */
  forgejo?: boolean;
  /** A wrong signature to send instead of the right one; null sends none. */
  signature?: string | null;
  /** Sends `payload=<url-encoded JSON>` as a form, as a webhook set to that content type does; still signed over the JSON. */
  form?: boolean;
}

export interface GiteaDelivery {
  status: number;
  body: string;
  receivedAt: number;
}

/**
 * POSTs a webhook delivery as Gitea does. `payload` is serialized the way Gitea serializes it, or
 * sent byte for byte when it is already a string (a kit example file, say).
 */
export async function deliverGitea(
  url: string,
  eventType: string,
  payload: RawJson | string,
  options: GiteaDeliveryOptions,
): Promise<GiteaDelivery> {
  const json = typeof payload === "string" ? payload : serializeGiteaPayload(payload);
  const headers = giteaDeliveryHeaders(eventType, json, {
    secret: options.secret,
    deliveryId: options.deliveryId ?? randomUUID(),
    forgejo: options.forgejo,
    signature: options.signature,
  });
  headers["User-Agent"] = "Go-http-client/1.1";
  let body = json;
  if (options.form === true) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    // Go's url.Values encoding: spaces as `+`, the rest percent-encoded, as URLSearchParams writes it.
    body = new URLSearchParams({ payload: json }).toString();
  }
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, body: await response.text(), receivedAt: Date.now() };
}
