import { z } from "zod";
import { giteaAddressSchema } from "./gitea/gitea-address.js";
import { githubAddressSchema } from "./github/github-address.js";

/**
 * Which forge a repository lives on, and whatever that forge's adapter needs to act there. Each
 * adapter owns its part; events and jobs carry it without looking inside.
 */
export const forgeAddressSchema = z.discriminatedUnion("forge", [githubAddressSchema, giteaAddressSchema]);

export type ForgeAddress = z.infer<typeof forgeAddressSchema>;

export type ForgeId = ForgeAddress["forge"];
