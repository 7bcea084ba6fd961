import { createHash, randomInt } from "node:crypto";

export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function randomAlphanumeric(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");
}

export function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(`fake:${id}`).toString("base64url")}`;
}

export function stableId(text: string): number {
  return 10_000 + (createHash("sha1").update(text).digest().readUInt32BE(0) % 80_000_000);
}

export function gitBlobSha(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

export function fakeSha(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}
