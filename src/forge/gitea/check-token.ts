import { randomBytes } from "node:crypto";
import { GiteaApiError } from "./gitea-api-error.js";
import { segment, type GiteaClient } from "./gitea-client.js";
import type { GiteaUser } from "./gitea-types.js";

/** What the bot account's token must allow: who it is, comments and reactions, and everything of a repository (code, branches, pull requests, reviews). */
export const REQUIRED_SCOPES = ["read:user", "write:issue", "write:repository"] as const;

export interface TokenCheck {
  readonly login: string;
  readonly isAdmin: boolean;
  /** Scopes the token lacks, from Gitea's own refusals; empty when it has what the bot needs. */
  readonly missingScopes: readonly string[];
}

/** Gitea's 403 for a scoped token names what it needed: `token does not have at least one of required scope(s): [write:issue]`. */
function scopesIn(error: GiteaApiError): string[] {
  const listed = /required scope\(s\): \[([^\]]*)\]/i.exec(error.detail)?.[1];
  return listed ? listed.split(/[\s,]+/).filter(Boolean) : [];
}

/**
 * Checks the bot's token at start-up: `GET /user` says whose it is; two writes to a repository
 * that does not exist show whether it may write issues and repositories. Gitea checks a token's
 * scopes before it looks the repository up, so a missing scope answers 403 naming it and a
 * granted one 404, and nothing is written either way.
 */
export async function checkGiteaToken(client: GiteaClient): Promise<TokenCheck> {
  const missing = new Set<string>();
  let user: GiteaUser;
  try {
    user = await client.json<GiteaUser>("GET", "/user");
  } catch (error) {
    if (error instanceof GiteaApiError && error.status === 403) {
      // Without read:user the account stays unknown; the write probes need an owner name all the same.
      for (const scope of scopesIn(error).length ? scopesIn(error) : ["read:user"]) missing.add(scope);
      return { login: "", isAdmin: false, missingScopes: [...missing] };
    }
    throw error;
  }
  const probe = `/repos/${segment(user.login)}/${segment(`coder-bot-scope-check-${randomBytes(6).toString("hex")}`)}`;
  // A name nobody chose; should it exist all the same, nothing is written to it.
  if ((await client.maybe("GET", probe).catch(() => null)) !== null)
    return { login: user.login, isAdmin: user.is_admin === true, missingScopes: [] };
  for (const [path, body] of [
    [`${probe}/issues`, { title: "scope check" }],
    [`${probe}/pulls`, { title: "scope check", head: "scope-check", base: "scope-check" }],
  ] as const) {
    try {
      await client.json("POST", path, { body });
    } catch (error) {
      if (!(error instanceof GiteaApiError)) throw error;
      if (error.status === 403) for (const scope of scopesIn(error)) missing.add(scope);
      else if (error.status !== 404) throw error;
    }
  }
  return { login: user.login, isAdmin: user.is_admin === true, missingScopes: [...missing] };
}
