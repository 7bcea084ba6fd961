import type { z } from "zod";
import { askPayloadSchema, type AskPayload } from "./payloads/ask-payload.js";
import { fixPayloadSchema, type FixPayload } from "./payloads/fix-payload.js";
import { indexPayloadSchema, type IndexPayload } from "./payloads/index-payload.js";
import { legacyV1 } from "./payloads/legacy-v1.js";
import { noticePayloadSchema, type NoticePayload } from "./payloads/notice-payload.js";
import { reviewPayloadSchema, type ReviewPayload } from "./payloads/review-payload.js";

/** Every kind of job, and the payload each carries. */
export interface Payloads {
  readonly fix: FixPayload;
  readonly notice: NoticePayload;
  readonly ask: AskPayload;
  readonly review: ReviewPayload;
  readonly index: IndexPayload;
}

export type JobKind = keyof Payloads;
export type PayloadOf<K extends JobKind> = Payloads[K];

export const jobKinds: readonly JobKind[] = ["fix", "notice", "ask", "review", "index"];

/** The payload format written today. Bump it with a new entry in `readers` when a payload changes shape. */
export const PAYLOAD_FORMAT = 2;

type Reader<P> = z.ZodType<P, unknown>;

/** Per kind, a reader for each format still accepted: the current one, and older ones upgraded. */
const readers: { readonly [K in JobKind]: Readonly<Record<number, Reader<Payloads[K]>>> } = {
  fix: { 1: legacyV1.fix, 2: fixPayloadSchema },
  notice: { 1: legacyV1.notice, 2: noticePayloadSchema },
  ask: { 1: legacyV1.ask, 2: askPayloadSchema },
  review: { 1: legacyV1.review, 2: reviewPayloadSchema },
  index: { 1: legacyV1.index, 2: indexPayloadSchema },
};

export function isJobKind(kind: string): kind is JobKind {
  return (jobKinds as readonly string[]).includes(kind);
}

/** What the queue stores: the payload with the format it was written in. */
export function encodePayload<K extends JobKind>(_kind: K, payload: PayloadOf<K>): Record<string, unknown> {
  return { v: PAYLOAD_FORMAT, ...payload };
}

export type DecodedPayload<P> = { readonly ok: true; readonly payload: P } | { readonly ok: false; readonly reason: string };

/**
 * Reads a stored payload with its kind's contract: today's format, or an older one upgraded. What
 * does not parse (a format this version does not know, a hand-edited row) comes back as a reason
 * that says what is wrong, never as an unchecked value.
 *
 * @example decodePayload("fix", JSON.parse(row.payload)) // { ok: true, payload: { repository, issue, … } }
 */
export function decodePayload<K extends JobKind>(kind: K, stored: unknown): DecodedPayload<PayloadOf<K>> {
  if (stored === null || typeof stored !== "object" || Array.isArray(stored))
    return { ok: false, reason: `the ${kind} job's payload is not an object` };
  const { v, ...fields } = stored as Record<string, unknown>;
  // Payloads written before formats were numbered have no `v`.
  const format = v === undefined ? 1 : v;
  if (typeof format !== "number" || !Number.isInteger(format))
    return { ok: false, reason: `the ${kind} job's payload has an invalid format number (${JSON.stringify(v)})` };
  const reader = readers[kind][format];
  if (!reader) {
    return {
      ok: false,
      reason:
        format > PAYLOAD_FORMAT
          ? `the ${kind} job was stored by a newer coder-bot (payload format ${format}, this one reads up to ${PAYLOAD_FORMAT}); upgrade this worker`
          : `the ${kind} job's payload format ${format} is no longer read by this version`,
    };
  }
  const parsed = reader.safeParse(fields);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "payload"}: ${issue.message}`).join("; ");
    return { ok: false, reason: `the ${kind} job's payload does not match its contract (format ${format}): ${problems}` };
  }
  return { ok: true, payload: parsed.data };
}
