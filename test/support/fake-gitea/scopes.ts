import type { TokenScopes } from "./records.js";

export type ScopeCategory = "user" | "repository" | "issue";

/**
 * The scope categories a route's groups ask for, in the order Gitea's middleware checks them
 * (routers/api/v1/api.go): `/user…` needs `user`; `/repos/{owner}/{repo}/issues…` (issues,
 * comments, reactions) sits in a `/repos` group of its own that needs `issue`; the rest of
 * `/repos/…` needs `repository`. Routes outside these groups are not served by the fake.
 */
export function scopeCategories(template: string, issueRoutesNeedRepositoryScope: boolean): ScopeCategory[] {
  if (template === "/user" || template.startsWith("/user/")) return ["user"];
  if (/^\/repos\/\{owner\}\/\{repo\}\/issues(\/|$)/.test(template))
    return issueRoutesNeedRepositoryScope ? ["repository", "issue"] : ["issue"];
  if (template.startsWith("/repos/")) return ["repository"];
  return [];
}

/**
 * The first scope the token lacks for `method`, or null: reads need `read:<category>`, other
 * methods `write:<category>`, and `write` includes `read`. `all` (a legacy token) has every one.
 */
export function missingScope(scopes: TokenScopes, method: string, categories: ScopeCategory[]): string | null {
  if (scopes === "all" || scopes.includes("all")) return null;
  const level = ["POST", "PUT", "PATCH", "DELETE"].includes(method) ? "write" : "read";
  for (const category of categories) {
    const granted = scopes.includes(`write:${category}`) || (level === "read" && scopes.includes(`read:${category}`));
    if (!granted) return `${level}:${category}`;
  }
  return null;
}

/**
 * Gitea 1.22 and Forgejo word it this way; Gitea 1.23 and later append the token's own scopes
 * (`…scope(s), required=[write:issue], token scope=read:issue`). Both start alike.
 */
export function scopeMessage(scope: string): string {
  return `token does not have at least one of required scope(s): [${scope}]`;
}
