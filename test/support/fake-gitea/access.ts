import type { FakeContext } from "./context.js";
import type { AccessMode, RepoState } from "./records.js";
import { findUser } from "./users.js";

/**
 * A user's access to a repository, as `GetUserRepoPermission` works it out for a public one:
 * site administrators and the owner have `owner`, collaborators what they were given, and
 * everyone else may read. Not modelled: private repositories, organisations and teams.
 */
export function accessMode(fake: FakeContext, repo: RepoState, login: string): AccessMode {
  if (findUser(fake.state, login)?.isAdmin === true) return "owner";
  if (login.toLowerCase() === repo.owner.toLowerCase()) return "owner";
  return repo.permissions.get(login.toLowerCase()) ?? "read";
}

export function canWrite(mode: AccessMode): boolean {
  return mode === "write" || mode === "admin" || mode === "owner";
}

/** `ctx.IsUserRepoAdmin()`: an admin collaborator or the owner. */
export function isRepoAdmin(mode: AccessMode): boolean {
  return mode === "admin" || mode === "owner";
}

/** The `permissions` object of a Repository, for the user asking. */
export function permissionsObject(mode: AccessMode): Record<string, boolean> {
  return { admin: isRepoAdmin(mode), push: canWrite(mode), pull: mode !== "none" };
}
