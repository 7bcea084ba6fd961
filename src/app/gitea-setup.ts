import type { Env } from "../config/env.js";
import { checkGiteaToken, REQUIRED_SCOPES } from "../forge/gitea/check-token.js";
import { GiteaClient } from "../forge/gitea/gitea-client.js";
import { GiteaForge } from "../forge/gitea/gitea-forge.js";
import type { Forge } from "../forge/forge.js";
import type { Logger } from "../jobs/logger.js";

export interface GiteaSetup {
  readonly botLogin: string;
  readonly adapter: () => Promise<Forge>;
}

/** The Gitea server is configured but the bot cannot work with it; the message says what to change. */
export class GiteaSetupError extends Error {
  readonly reason: "token-rejected" | "scopes-missing" | "unreachable";

  constructor(reason: GiteaSetupError["reason"], message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "GiteaSetupError";
    this.reason = reason;
  }
}

/**
 * Checks the bot account's token against the server before the bot takes any delivery, and says
 * exactly what is missing: a token the server rejects, or the scopes it lacks.
 */
export async function setUpGitea(env: Env, log: Logger): Promise<GiteaSetup> {
  const url = env.GITEA_URL ?? "";
  const token = env.GITEA_TOKEN ?? "";
  const client = new GiteaClient({ baseUrl: url, token });
  let check;
  try {
    check = await checkGiteaToken(client);
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 401)
      throw new GiteaSetupError(
        "token-rejected",
        `${url} does not accept GITEA_TOKEN: create an access token for the bot account (Settings → Applications) with the scopes ${REQUIRED_SCOPES.join(", ")}`,
        error,
      );
    throw new GiteaSetupError(
      "unreachable",
      `cannot reach the Gitea server at ${url} (${(error as Error).message}): check GITEA_URL`,
      error,
    );
  }
  if (check.missingScopes.length > 0) {
    throw new GiteaSetupError(
      "scopes-missing",
      `GITEA_TOKEN${check.login ? ` (@${check.login})` : ""} lacks the scope${check.missingScopes.length > 1 ? "s" : ""} ${check.missingScopes.join(", ")}: create a token with ${REQUIRED_SCOPES.join(", ")}`,
    );
  }
  log.info({ url, login: check.login, siteAdmin: check.isAdmin }, "Gitea token checked");
  const forge = new GiteaForge({ client, token, botLogin: check.login, onDegraded: (what) => log.warn({ forge: "gitea" }, what) });
  return { botLogin: check.login, adapter: () => Promise.resolve(forge) };
}
