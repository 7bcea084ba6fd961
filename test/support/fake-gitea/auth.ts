import type { FakeContext } from "./context.js";
import { newToken, timestamp } from "./ids.js";
import type { FakeGiteaState, TokenRecord, TokenScopes } from "./records.js";
import { ensureUser } from "./users.js";

export function issueToken(fake: FakeContext, options: { scopes?: TokenScopes; login?: string } = {}): TokenRecord {
  const login = options.login ?? fake.botLogin;
  ensureUser(fake, login);
  const record: TokenRecord = { token: newToken(), login, scopes: options.scopes ?? "all", createdAt: timestamp() };
  fake.state.tokens.push(record);
  return record;
}

export function findToken(state: FakeGiteaState, token: string): TokenRecord | undefined {
  return state.tokens.find((candidate) => candidate.token === token);
}

export function isValidToken(state: FakeGiteaState, token: string): boolean {
  return findToken(state, token) !== undefined;
}

/**
 * The token a request carries, read as Gitea's auth methods read it: `token <t>` or `Bearer <t>`
 * (either case), or HTTP Basic where a token may stand as the password (the user name is then
 * ignored) or as the user name with an empty or `x-oauth-basic` password. Null without one.
 * The `?token=`/`?access_token=` query forms are deprecated (gone in 1.23) and not accepted.
 */
export function credentialOf(authorization: string | undefined): string | null {
  const [, scheme = "", value = ""] = /^\s*(\S+)\s+(\S+)\s*$/.exec(authorization ?? "") ?? [];
  if (/^(token|bearer)$/i.test(scheme)) return value;
  if (!/^basic$/i.test(scheme)) return null;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  const password = colon === -1 ? "" : decoded.slice(colon + 1);
  return password === "" || password === "x-oauth-basic" ? user : password;
}

export type AuthOutcome = { token: TokenRecord } | { problem: string; message: string };

/**
 * Gitea lets anonymous callers read public repositories; the fake does not, since the bot always
 * sends its token and a request without one is a bug worth a 401. Gitea's texts: `reqToken`
 * answers "token is required"; a token it cannot find fails the auth group, which 1.20 and later
 * word as the user-not-found error below (the exact bracket varies between versions).
 */
export function authenticate(fake: FakeContext, authorization: string | undefined): AuthOutcome {
  if (authorization === undefined) return { problem: "no Authorization header", message: "token is required" };
  const credential = credentialOf(authorization);
  if (credential === null) return { problem: `unsupported Authorization scheme`, message: "token is required" };
  const token = findToken(fake.state, credential);
  if (token === undefined) return { problem: "unknown token", message: "user does not exist [uid: 0, name: ]" };
  return { token };
}
