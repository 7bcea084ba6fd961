import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { RawJson } from "../raw-json.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** The Gitea webhook contract kit, beside the repository with the other contracts. */
export const giteaWebhookKitDir = path.resolve(repoRoot, "../shared/contracts/gitea-webhooks");

export type GiteaExampleName = "issue_comment_issue" | "issue_comment_pull" | "pull_request_opened" | "push";

/** An example body exactly as the kit stores it: Go's `MarshalIndent`, no trailing newline. */
export function readGiteaExample(name: GiteaExampleName): string {
  return readFileSync(path.join(giteaWebhookKitDir, `${name}.json`), "utf8");
}

/** One entry of the kit's `deliveries.json`: the headers Gitea sent with an example body. */
export interface KitDelivery {
  body_file: string;
  method: string;
  body_sha256: string;
  body_bytes: number;
  gitea_headers: Record<string, string>;
  forgejo_additional_headers: Record<string, string>;
}

export function readGiteaKitDeliveries(): { secret: string; deliveries: KitDelivery[] } {
  return JSON.parse(readFileSync(path.join(giteaWebhookKitDir, "deliveries.json"), "utf8")) as {
    secret: string;
    deliveries: KitDelivery[];
  };
}

/**
 * An example parsed, with the kit's server and repository (`http://localhost:3000`,
 * `gitea/webhooks`) replaced wherever they occur, URLs included.
 */
export function giteaExample(name: GiteaExampleName, replace: { giteaUrl: string; fullName: string }): RawJson {
  const text = readGiteaExample(name).split("http://localhost:3000").join(replace.giteaUrl).split("gitea/webhooks").join(replace.fullName);
  return JSON.parse(text) as RawJson;
}
