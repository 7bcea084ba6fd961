import { generateKeyPairSync } from "node:crypto";
import { issueToken } from "./auth.js";
import type { FakeContext } from "./context.js";
import { fakeSha, nodeId, stableId } from "./ids.js";
import { requireRepo } from "./lookups.js";
import type { Handlers } from "./routing.js";
import { userObject } from "./users.js";

/** A PKCS#1 PEM RSA key like the ones GitHub issues for apps, for Probot's PRIVATE_KEY. */
export function makeRsaKey(): string {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  return privateKey;
}

export function appObject(fake: FakeContext): Record<string, unknown> {
  const { appId, appSlug, appCreatedAt, url } = fake;
  return {
    id: appId,
    slug: appSlug,
    node_id: nodeId("A", appId),
    client_id: `Iv1.${fakeSha(appSlug).slice(0, 16)}`,
    owner: userObject(fake, fake.appOwner),
    name: appSlug,
    description: "A self-hosted coding partner",
    external_url: `${url}/apps/${appSlug}`,
    html_url: `${url}/apps/${appSlug}`,
    created_at: appCreatedAt,
    updated_at: appCreatedAt,
    permissions: { contents: "write", issues: "write", metadata: "read", pull_requests: "write" },
    events: ["issue_comment", "issues", "pull_request", "pull_request_review_comment"],
    installations_count: 1,
  };
}

export function installationObject(fake: FakeContext, installationId: number, account: string): Record<string, unknown> {
  const { apiBase, appCreatedAt } = fake;
  return {
    id: installationId,
    account: userObject(fake, account),
    repository_selection: "all",
    access_tokens_url: `${apiBase}/app/installations/${installationId}/access_tokens`,
    repositories_url: `${apiBase}/installation/repositories`,
    html_url: `${fake.url}/settings/installations/${installationId}`,
    app_id: fake.appId,
    app_slug: fake.appSlug,
    target_id: stableId(account),
    target_type: "User",
    permissions: appObject(fake).permissions,
    events: appObject(fake).events,
    created_at: appCreatedAt,
    updated_at: appCreatedAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

function ownerForInstallation(fake: FakeContext, installationId: number): string {
  return [...fake.state.repos.values()].find((repo) => repo.installationId === installationId)?.owner ?? fake.appOwner;
}

export const appHandlers: Handlers = {
  "apps/get-authenticated": (fake) => ({ status: 200, json: appObject(fake) }),

  "apps/list-installations": (fake) => {
    const ids = [...new Set([fake.defaultInstallationId, ...[...fake.state.repos.values()].map((repo) => repo.installationId)])];
    return { status: 200, json: ids.map((id) => installationObject(fake, id, ownerForInstallation(fake, id))) };
  },

  "apps/get-installation": (fake, { params }) => {
    const id = Number(params.installation_id);
    return { status: 200, json: installationObject(fake, id, ownerForInstallation(fake, id)) };
  },

  "apps/create-installation-access-token": (fake, { params, body }) => {
    const requested = (body as { permissions?: Record<string, string>; repositories?: string[] } | undefined) ?? {};
    const record = issueToken(fake, Number(params.installation_id), requested.permissions ?? fake.options.tokenPermissions ?? {});
    const json: Record<string, unknown> = {
      token: record.token,
      expires_at: record.expiresAt,
      permissions: record.permissions,
      repository_selection: requested.repositories === undefined ? "all" : "selected",
    };
    return { status: 201, json };
  },

  "apps/get-repo-installation": (fake, { params }) => {
    const repo = requireRepo(fake.state, params);
    return { status: 200, json: installationObject(fake, repo.installationId, repo.owner) };
  },
};
