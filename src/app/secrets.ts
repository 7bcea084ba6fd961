import type { Env } from "../config/env.js";

/** Every secret of the deployment: redacted from everything the bot posts and logs. */
export function deploymentSecrets(env: Env): string[] {
  return [env.WEBHOOK_SECRET, env.privateKey, env.CODER_OPENAI_API_KEY, env.QDRANT_API_KEY].filter((s): s is string => Boolean(s));
}
