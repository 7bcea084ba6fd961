/**
 * Gitea webhook deliveries for tests: payloads built from the contract kit's real-shaped examples,
 * serialized and signed as Gitea does, and sent with the full header set the kit records. The
 * pieces live in ./gitea-webhooks/.
 */
export { deliverGitea, type GiteaDelivery, type GiteaDeliveryOptions } from "./gitea-webhooks/deliver.js";
export {
  giteaExample,
  giteaWebhookKitDir,
  readGiteaExample,
  readGiteaKitDeliveries,
  type GiteaExampleName,
  type KitDelivery,
} from "./gitea-webhooks/kit.js";
export {
  makeGiteaIssueCommentEvent,
  makeGiteaPullRequestEvent,
  makeGiteaPushEvent,
  type GiteaIssueCommentOverrides,
  type GiteaPullFields,
  type GiteaPullRequestOverrides,
  type GiteaPushOverrides,
  type GiteaRepoOverrides,
} from "./gitea-webhooks/payloads.js";
export {
  giteaCoarseEvent,
  giteaDeliveryHeaders,
  giteaPullRequestEventType,
  serializeGiteaPayload,
  signGiteaPayload,
  type GiteaHeaderOptions,
} from "./gitea-webhooks/wire.js";
