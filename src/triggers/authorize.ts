import type { Permission } from "../forge/forge.js";
import type { RepoConfig } from "../config/repo-config.js";

/** Whether a commenter may run `/coder` commands under the repository's trigger rules. */
export function isAllowed(rules: RepoConfig["triggers"], login: string, permission: Permission): boolean {
  if (rules.users.some((u) => u.toLowerCase() === login.toLowerCase())) return true;
  return permission !== "none" && (rules.permissions as readonly string[]).includes(permission);
}
