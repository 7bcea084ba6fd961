import type { Env } from "../config/env.js";

/** The password (and a token-like user name) inside a server's URL, `http://user:password@host`. */
function urlCredentials(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const { username, password } = new URL(url);
    return [decodeURIComponent(password), decodeURIComponent(username)].filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Every secret of the deployment: redacted from everything the bot posts and logs. Credentials
 * written into a model or index server's URL count too: HTTP clients quote the URL in their errors,
 * and errors end up in failure comments.
 */
export function deploymentSecrets(env: Env): string[] {
  return [
    env.WEBHOOK_SECRET,
    env.privateKey,
    env.GITEA_TOKEN,
    env.GITEA_WEBHOOK_SECRET,
    env.CODER_OPENAI_API_KEY,
    env.QDRANT_API_KEY,
    ...urlCredentials(env.OLLAMA_HOST),
    ...urlCredentials(env.CODER_OPENAI_BASE_URL),
    ...urlCredentials(env.QDRANT_URL),
  ].filter((s): s is string => Boolean(s));
}
