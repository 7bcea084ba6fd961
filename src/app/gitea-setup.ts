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

/** A Gitea that starts beside the bot (one compose file) may take a while to answer: about a minute in all. */
const RETRY_DELAYS_MS = [2_000, 4_000, 8_000, 16_000, 30_000];

/** `attempt`, again after each delay while the server cannot be reached; any other answer ends it. */
async function reachable<T>(
  attempt: () => Promise<T>,
  delays: readonly number[],
  onWait: (error: unknown, delay: number) => void,
): Promise<T> {
  for (const delay of delays) {
    try {
      return await attempt();
    } catch (error) {
      if ((error as { reason?: unknown }).reason !== "unreachable") throw error;
      onWait(error, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return attempt();
}

/**
 * Checks the bot account's token against the server before the bot takes any delivery, and says
 * exactly what is missing: a token the server rejects, or the scopes it lacks.
 */
export async function setUpGitea(env: Env, log: Logger, options: { readonly retryDelaysMs?: readonly number[] } = {}): Promise<GiteaSetup> {
  const url = env.GITEA_URL ?? "";
  const token = env.GITEA_TOKEN ?? "";
  const client = new GiteaClient({ baseUrl: url, token, timeoutMs: 15_000 });
  let check;
  try {
    check = await reachable(
      () => checkGiteaToken(client),
      options.retryDelaysMs ?? RETRY_DELAYS_MS,
      (error, delay) => log.warn({ url, err: error, retryInMs: delay }, "the Gitea server does not answer yet"),
    );
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
