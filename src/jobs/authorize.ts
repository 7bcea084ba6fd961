import type { RepoConfig } from "../config/repo-config.js";
import type { Permission } from "../forge/forge.js";

/** Whether a commenter may run `/coder` commands under the repository's trigger rules. */
export function isAllowed(rules: RepoConfig["triggers"], login: string, permission: Permission): boolean {
  if (rules.users.some((u) => u.toLowerCase() === login.toLowerCase())) return true;
  return permission !== "none" && (rules.permissions as readonly string[]).includes(permission);
}

/** The one answer to someone who may not give commands here, in the words of the repository's own rules. */
export function refusalText(login: string, rules: RepoConfig["triggers"]): string {
  return `Thanks for the request, @${login}! I only take \`/coder\` commands from people with ${rules.permissions.join(", ")} access to this repository, so I'll leave this one to a maintainer.`;
}
