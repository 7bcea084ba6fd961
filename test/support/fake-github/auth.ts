import type { FakeContext } from "./context.js";
import { randomAlphanumeric, timestamp } from "./ids.js";
import type { FakeGitHubState, TokenRecord } from "./records.js";

function isAppAuthRoute(template: string): boolean {
  return (
    template === "/app" ||
    template.startsWith("/app/") ||
    template.startsWith("/marketplace_listing/") ||
    /^\/(orgs|repos|users|enterprises)\/.*\/installation$/.test(template)
  );
}

function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);
}

function jwtIssuer(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { iss?: unknown };
    return typeof payload.iss === "string" || typeof payload.iss === "number" ? String(payload.iss) : undefined;
  } catch {
    return undefined;
  }
}

export function isValidToken(state: FakeGitHubState, token: string): boolean {
  const record = state.tokens.find((candidate) => candidate.token === token);
  return record !== undefined && Date.parse(record.expiresAt) > Date.now();
}

export function issueToken(
  fake: FakeContext,
  installationId = fake.defaultInstallationId,
  permissions = fake.options.tokenPermissions ?? {},
): TokenRecord {
  const record: TokenRecord = {
    token: fake.options.tokenFactory?.() ?? `ghs_${randomAlphanumeric(36)}`,
    installationId,
    expiresAt: timestamp(new Date(Date.now() + 60 * 60 * 1000)),
    permissions,
  };
  fake.state.tokens.push(record);
  return record;
}

/** Why GitHub would answer 401 to a request on `template` with this Authorization header, or null. */
export function authenticate(fake: FakeContext, template: string, authorization: string | undefined): string | null {
  const [, scheme = "", credential = ""] = /^(\w+)\s+(.+)$/.exec(authorization ?? "") ?? [];
  if (isAppAuthRoute(template)) {
    if (scheme.toLowerCase() !== "bearer" || !looksLikeJwt(credential)) return "A JSON web token could not be decoded";
    const issuer = jwtIssuer(credential);
    if (fake.options.appId !== undefined && issuer !== undefined && issuer !== String(fake.appId))
      return `'Issuer' claim ('iss') ${issuer} is not app ${fake.appId}`;
    return null;
  }
  if (authorization === undefined) return "Requires authentication";
  if (!["token", "bearer"].includes(scheme.toLowerCase()) || !isValidToken(fake.state, credential)) return "Bad credentials";
  return null;
}
