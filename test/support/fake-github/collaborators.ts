import type { FakeContext } from "./context.js";
import { mustFindRepo, requireRepo } from "./lookups.js";
import type { RepoPermission, RepoState } from "./records.js";
import type { Handlers } from "./routing.js";
import { userObject } from "./users.js";

const ROLE_MAP: Record<RepoPermission, { permission: string; roleName: string }> = {
  admin: { permission: "admin", roleName: "admin" },
  maintain: { permission: "write", roleName: "maintain" },
  write: { permission: "write", roleName: "write" },
  triage: { permission: "read", roleName: "triage" },
  read: { permission: "read", roleName: "read" },
  none: { permission: "none", roleName: "none" },
};

const PERMISSION_RANK: RepoPermission[] = ["none", "read", "triage", "write", "maintain", "admin"];

function permissionOf(repo: RepoState, login: string): RepoPermission {
  return repo.permissions.get(login.toLowerCase()) ?? "read";
}

export const collaboratorHandlers: Handlers = {
  "repos/get-collaborator-permission-level": (fake, { params }) => {
    const repo = requireRepo(fake.state, params);
    const login = params.username ?? "";
    const role = ROLE_MAP[permissionOf(repo, login)];
    const rank = PERMISSION_RANK.indexOf(permissionOf(repo, login));
    const user = {
      ...userObject(fake, login),
      permissions: { pull: rank >= 1, triage: rank >= 2, push: rank >= 3, maintain: rank >= 4, admin: rank >= 5 },
      role_name: role.roleName,
    };
    return { status: 200, json: { permission: role.permission, role_name: role.roleName, user } };
  },
};

export function setPermission(fake: FakeContext, owner: string, repo: string, login: string, permission: RepoPermission): void {
  mustFindRepo(fake.state, owner, repo).permissions.set(login.toLowerCase(), permission);
}
