import { sameLogin } from "../fake-github/strings.js";
import { accessMode, isRepoAdmin } from "./access.js";
import type { FakeContext } from "./context.js";
import { forbidden, GiteaError, notFound } from "./errors.js";
import { mustFindRepo, requireRepo } from "./lookups.js";
import type { AccessMode } from "./records.js";
import type { Handlers } from "./routing.js";
import { ensureUser, findUser, userObject } from "./users.js";

function noSuchUser(login: string, status: number): GiteaError {
  return new GiteaError(status, `user does not exist [uid: 0, name: ${login}]`);
}

export const collaboratorHandlers: Handlers = {
  /**
   * Gitea shows a user's permission only to a site administrator, a repository administrator,
   * or the user himself (routers/api/v1/repo/collaborators.go). Some releases compared the
   * caller's `LoginName` (empty for local accounts) instead of the name, refusing even a
   * self-query; the fake follows the current code and allows it.
   */
  repoGetRepoPermissions: (fake, { params, doer }) => {
    const repo = requireRepo(fake, params);
    const login = params.collaborator ?? "";
    const caller = ensureUser(fake, doer);
    if (!caller.isAdmin && !sameLogin(doer, login) && !isRepoAdmin(accessMode(fake, repo, doer))) {
      throw forbidden(
        "Only admins can query all permissions, repo admins can query all repo permissions, collaborators can query only their own",
      );
    }
    const user = findUser(fake.state, login);
    if (user === undefined) throw noSuchUser(login, 404);
    const mode = accessMode(fake, repo, user.login);
    return { status: 200, json: { permission: mode, role_name: mode, user: userObject(fake, user.login) } };
  },

  /** 204 for a collaborator; the owner is not one in Gitea's terms. An unknown user is a 422. */
  repoCheckCollaborator: (fake, { params }) => {
    const repo = requireRepo(fake, params);
    const login = params.collaborator ?? "";
    if (findUser(fake.state, login) === undefined) throw noSuchUser(login, 422);
    const mode = repo.permissions.get(login.toLowerCase());
    if (mode === "read" || mode === "write" || mode === "admin") return { status: 204 };
    throw notFound();
  },
};

export function setPermission(fake: FakeContext, owner: string, repo: string, login: string, permission: AccessMode): void {
  ensureUser(fake, login);
  mustFindRepo(fake.state, owner, repo).permissions.set(login.toLowerCase(), permission);
}
