import type { RepoConfig } from "../config/repo-config.js";
import type { Permission } from "../forge/forge.js";

/** Whether a login is one the repository's rules name outright (`triggers.users`); the forge need not be asked. */
export function isListed(rules: RepoConfig["triggers"], login: string): boolean {
  return rules.users.some((u) => u.toLowerCase() === login.toLowerCase());
}

/** Whether a commenter may run `/coder` commands under the repository's trigger rules. */
export function isAllowed(rules: RepoConfig["triggers"], login: string, permission: Permission): boolean {
  if (isListed(rules, login)) return true;
  return permission !== "none" && (rules.permissions as readonly string[]).includes(permission);
}

/** The one answer to someone who may not give commands here, in the words of the repository's own rules. */
export function refusalText(login: string, rules: RepoConfig["triggers"]): string {
  return `Thanks for the request, @${login}! I only take \`/coder\` commands from people with ${rules.permissions.join(", ")} access to this repository, so I'll leave this one to a maintainer.`;
}

/** The answer when the forge would not say what the commenter may do: what to change, instead of a silent refusal. */
export function permissionHiddenText(login: string, why: string): string {
  return `I could not check whether @${login} may give \`/coder\` commands here: ${why}. Until then, a maintainer can list trusted people in \`triggers.users\` of coder.yml.`;
}
