import { createHash, randomBytes } from "node:crypto";

export { timestamp } from "../fake-github/ids.js";

/** Gitea's access tokens are 40 lowercase hex digits (20 random bytes). */
export function newToken(): string {
  return randomBytes(20).toString("hex");
}

/** Gitea names avatars by a hash; any stable one will do for the fake. */
export function avatarHash(text: string): string {
  return createHash("md5").update(text.toLowerCase()).digest("hex");
}
