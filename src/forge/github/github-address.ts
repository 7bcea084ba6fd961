import { z } from "zod";

/**
 * What the GitHub adapter needs to act on a repository: the App installation that received the
 * delivery. Null when a delivery came without one (the App is not installed there).
 */
export const githubAddressSchema = z.object({
  forge: z.literal("github"),
  installationId: z.number().int().positive().nullable(),
});

export type GitHubAddress = z.infer<typeof githubAddressSchema>;
