import type { FakeContext } from "./context.js";
import { avatarHash, timestamp } from "./ids.js";
import type { FakeGiteaState, UserRecord } from "./records.js";

export function findUser(state: FakeGiteaState, login: string): UserRecord | undefined {
  return state.users.get(login.toLowerCase());
}

/** Users exist once anything names them: a repository owner, a permission, a token, an author. */
export function ensureUser(fake: FakeContext, login: string): UserRecord {
  const known = findUser(fake.state, login);
  if (known !== undefined) return known;
  const user: UserRecord = {
    id: fake.counters.user++,
    login,
    fullName: login,
    email: `${login.toLowerCase()}@noreply.localhost`,
    isAdmin: false,
    createdAt: timestamp(),
  };
  fake.state.users.set(login.toLowerCase(), user);
  return user;
}

/**
 * A User as the API renders it for a signed-in caller. `username` is not in the description:
 * Gitea's `MarshalJSON` adds it as a copy of `login`, so real answers carry it too.
 */
export function userObject(fake: FakeContext, login: string): Record<string, unknown> {
  const user = ensureUser(fake, login);
  return {
    id: user.id,
    login: user.login,
    login_name: "",
    source_id: 0,
    full_name: user.fullName,
    email: user.email,
    avatar_url: `${fake.url}/avatars/${avatarHash(user.login)}`,
    language: "",
    is_admin: user.isAdmin,
    last_login: "0001-01-01T00:00:00Z",
    created: user.createdAt,
    restricted: false,
    active: true,
    prohibit_login: false,
    location: "",
    website: "",
    description: "",
    visibility: "public",
    followers_count: 0,
    following_count: 0,
    starred_repos_count: 0,
    username: user.login,
  };
}
