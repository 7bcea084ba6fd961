import type { ForgeId } from "./forge-address.js";

const settings: Readonly<Record<ForgeId, string>> = {
  github: "APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET",
  gitea: "GITEA_URL, GITEA_TOKEN and GITEA_WEBHOOK_SECRET",
};

/** A job for a forge this bot is not configured to serve (a job queued before its settings were removed). */
export class ForgeUnavailableError extends Error {
  readonly reason = "forge-not-configured";
  readonly forge: ForgeId;

  constructor(forge: ForgeId) {
    super(`this bot does not serve ${forge} (set ${settings[forge]} to serve it)`);
    this.name = "ForgeUnavailableError";
    this.forge = forge;
  }
}
