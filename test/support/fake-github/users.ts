import type { FakeContext } from "./context.js";
import { nodeId, stableId } from "./ids.js";

export function userObject(fake: FakeContext, login: string): Record<string, unknown> {
  const id = stableId(login);
  const userUrl = `${fake.apiBase}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: nodeId(login.endsWith("[bot]") ? "BOT" : "U", id),
    avatar_url: `${fake.url}/avatars/u/${id}?v=4`,
    gravatar_id: "",
    url: userUrl,
    html_url: login.endsWith("[bot]") ? `${fake.url}/apps/${login.slice(0, -5)}` : `${fake.url}/${login}`,
    followers_url: `${userUrl}/followers`,
    following_url: `${userUrl}/following{/other_user}`,
    gists_url: `${userUrl}/gists{/gist_id}`,
    starred_url: `${userUrl}/starred{/owner}{/repo}`,
    subscriptions_url: `${userUrl}/subscriptions`,
    organizations_url: `${userUrl}/orgs`,
    repos_url: `${userUrl}/repos`,
    events_url: `${userUrl}/events{/privacy}`,
    received_events_url: `${userUrl}/received_events`,
    type: login.endsWith("[bot]") ? "Bot" : "User",
    user_view_type: "public",
    site_admin: false,
  };
}
