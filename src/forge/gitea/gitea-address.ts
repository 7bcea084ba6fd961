import { z } from "zod";

/**
 * What the Gitea adapter needs to act on a repository: nothing beyond the forge itself. The bot
 * serves one Gitea or Forgejo server (`GITEA_URL`) as one bot account (`GITEA_TOKEN`).
 */
export const giteaAddressSchema = z.object({ forge: z.literal("gitea") });

export type GiteaAddress = z.infer<typeof giteaAddressSchema>;
