import { createHash } from "node:crypto";

/**
 * Collection names: `<prefix>-<slug>-<repo hash>-<space hash>-<dimensions>`. Qdrant takes only
 * some characters in a name, so the readable slug is lossy and the hash of the full repository
 * name keeps two repositories apart (`a/b-c` and `a-b/c` share a slug). The model and the
 * dimension are part of the name: re-opening with either changed makes a new collection and
 * drops the old one, and a restarted process finds a repository's collection, with its
 * dimension, by listing names.
 */
const SLUG_LENGTH = 40;

export function repoCollectionPrefix(prefix: string, repo: string): string {
  const slug =
    repo
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, SLUG_LENGTH) || "repo";
  return `${prefix}-${slug}-${hash(`repo:${repo}`, 12)}-`;
}

export function collectionName(prefix: string, repo: string, model: string, dimensions: number): string {
  return `${repoCollectionPrefix(prefix, repo)}${hash(`space:${model}`, 8)}-${dimensions}`;
}

/** The dimension written at the end of a collection's name, or undefined for a name that is not ours. */
export function dimensionsOf(name: string): number | undefined {
  const match = /-([0-9a-f]{8})-(\d+)$/.exec(name);
  const dimensions = Number(match?.[2]);
  return Number.isSafeInteger(dimensions) && dimensions > 0 ? dimensions : undefined;
}

/**
 * Qdrant takes only unsigned integers and UUIDs as point ids: the chunk's id is hashed into a
 * UUID (version 8, "custom") so the same chunk always lands on the same point.
 *
 * @example
 * pointId("src/a.ts#3f2c…") // "5d0c8a1e-…-8…"
 */
export function pointId(chunkId: string): string {
  const bytes = createHash("sha256").update(`chunk:${chunkId}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function hash(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}
