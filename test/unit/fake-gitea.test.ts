import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitea, validateResponse, type FakeGitea } from "../support/fake-gitea.js";
import { createWidgetsRepo, giteaCaller, type WidgetsRepo } from "../support/gitea-fixture.js";
import { startGitServer, type GitServer } from "../support/git-server.js";

let fake: FakeGitea;
let server: GitServer;
let widgets: WidgetsRepo;
const call = giteaCaller(() => fake);

/** The fake's own answers must match the schemas Gitea documents for them. */
function expectDocumented(method: string, apiPath: string, status: number, body: unknown): void {
  expect(validateResponse({ method, path: apiPath, status, body })).toEqual([]);
}

async function startWith(options: Parameters<typeof startFakeGitea>[0] = {}): Promise<void> {
  fake = await startFakeGitea(options);
  fake.addRepo({ ...widgets, protectedBranches: ["main"], permissions: { alice: "admin", bob: "read" } });
  fake.addIssue({ owner: "acme", repo: "widgets", number: 7, title: "add() subtracts", body: "2 + 3 gives -1", user: "bob" });
  fake.addComment({ owner: "acme", repo: "widgets", issueNumber: 7, id: 99, body: "/coder fix", user: "alice" });
}

beforeAll(async () => {
  server = await startGitServer({ requireToken: (token) => fake.isValidToken(token) });
  widgets = createWidgetsRepo(server);
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => startWith());

afterEach(async () => {
  await fake.close();
});

describe("fake Gitea: authentication and scopes", () => {
  it("names the token's owner on /user, whichever way the token is sent", async () => {
    expect(fake.token).toMatch(/^[0-9a-f]{40}$/);
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    for (const authorization of [
      `token ${fake.token}`,
      `Bearer ${fake.token}`,
      basic("x-access-token", fake.token),
      basic(fake.token, ""),
    ]) {
      const me = await call("GET", "/user", { headers: { authorization } });
      expect(me.status).toBe(200);
      expect(me.json).toMatchObject({ login: "coder-bot", username: "coder-bot", is_admin: false });
      expect(me.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expectDocumented("GET", "/user", 200, me.json);
    }
    expect(fake.violations).toEqual([]);
  });

  it("answers 401 without a token or with an unknown one, and records both", async () => {
    const missing = await call("GET", "/user", { headers: { authorization: "" } });
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({ message: "token is required", url: `${fake.url}/api/swagger` });
    expect((await call("GET", "/repos/acme/widgets", { token: "0".repeat(40) })).status).toBe(401);
    expect(fake.violations).toEqual(["GET /user: auth: unsupported Authorization scheme", "GET /repos/acme/widgets: auth: unknown token"]);
  });

  it("lets the git server take the fake's tokens", async () => {
    await expect(server.git(["ls-remote", widgets.cloneUrl, "refs/heads/main"], { token: fake.token })).resolves.toContain(widgets.mainSha);
    await expect(server.git(["ls-remote", widgets.cloneUrl], { token: "f".repeat(40) })).rejects.toThrow();
  });

  it("checks scopes before the repository, so a write to a missing repository probes the scope", async () => {
    const readOnly = fake.issueToken({ scopes: ["read:repository", "read:issue"] });
    const denied = await call("POST", "/repos/acme/nowhere/issues/1/comments", { token: readOnly, body: { body: "x" } });
    expect(denied.status).toBe(403);
    expect(denied.json.message).toBe("token does not have at least one of required scope(s): [write:issue]");
    const writer = fake.issueToken({ scopes: ["write:issue"] });
    expect((await call("POST", "/repos/acme/nowhere/issues/1/comments", { token: writer, body: { body: "x" } })).status).toBe(404);
    // write includes read; each route group asks for its own category.
    expect((await call("GET", "/repos/acme/widgets/issues/7", { token: writer })).status).toBe(200);
    expect((await call("GET", "/repos/acme/widgets", { token: writer })).json.message).toContain("[read:repository]");
    expect((await call("GET", "/user", { token: readOnly })).json.message).toContain("[read:user]");
    expect((await call("GET", "/user", { token: fake.issueToken({ scopes: ["write:user"] }) })).status).toBe(200);
    expect(fake.violations).toEqual([
      "POST /repos/acme/nowhere/issues/1/comments: scope: the token lacks write:issue",
      "GET /repos/acme/widgets: scope: the token lacks read:repository",
      "GET /user: scope: the token lacks read:user",
    ]);
  });

  it("can make issue routes need the repository scope too", async () => {
    await fake.close();
    await startWith({ scopes: ["write:issue"], issueRoutesNeedRepositoryScope: true });
    const answer = await call("POST", "/repos/acme/widgets/issues/7/comments", { body: { body: "x" } });
    expect(answer.json.message).toBe("token does not have at least one of required scope(s): [write:repository]");
  });
});

describe("fake Gitea: repository, branches and files", () => {
  it("serves the repository with the caller's permissions", async () => {
    const repo = await call("GET", "/repos/ACME/Widgets");
    expect(repo.json).toMatchObject({
      name: "widgets",
      full_name: "acme/widgets",
      default_branch: "main",
      clone_url: widgets.cloneUrl,
      html_url: `${fake.url}/acme/widgets`,
      owner: { login: "acme" },
      permissions: { admin: false, push: true, pull: true },
    });
    expectDocumented("GET", "/repos/acme/widgets", 200, repo.json);
    expect((await call("GET", "/repos/acme/nothing")).json).toEqual({
      errors: null,
      message: "The target couldn't be found.",
      url: `${fake.url}/api/swagger`,
    });
  });

  it("reports branches, slashes included, with their head and protection", async () => {
    const main = await call("GET", "/repos/acme/widgets/branches/main");
    expect(main.json).toMatchObject({
      name: "main",
      protected: true,
      user_can_push: false,
      commit: { id: widgets.mainSha, message: "Initial commit\n" },
    });
    expectDocumented("GET", "/repos/acme/widgets/branches/main", 200, main.json);
    const feature = await call("GET", "/repos/acme/widgets/branches/fix/add");
    expect(feature.json).toMatchObject({ name: "fix/add", protected: false, user_can_push: true, commit: { id: widgets.featureSha } });
    expect((await call("GET", "/repos/acme/widgets/branches/fix%2Fadd")).json.name).toBe("fix/add");
    expect((await call("GET", "/repos/acme/widgets/branches/gone")).status).toBe(404);
    expect(fake.violations).toEqual([]);
  });

  it("serves raw files from git by branch, commit, legacy path ref or the default branch", async () => {
    const onMain = await call("GET", "/repos/acme/widgets/raw/src/add.js");
    expect(onMain.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(onMain.text.split("\n")[2]).toBe("  return a - b;");
    for (const query of ["?ref=fix/add", `?ref=${widgets.featureSha}`, `?ref=${widgets.featureSha.slice(0, 7)}`]) {
      expect((await call("GET", `/repos/acme/widgets/raw/src%2Fadd.js${query}`)).text.split("\n")[2]).toBe("  return a + b;");
    }
    expect((await call("GET", "/repos/acme/widgets/raw/fix/add/src/new.js")).text).toBe("export const answer = 42;\n");
    expect((await call("GET", "/repos/acme/widgets/raw/src/new.js")).status).toBe(404);
    expect((await call("GET", "/repos/acme/widgets/raw/src?ref=main")).status).toBe(404);
    expect((await call("GET", "/repos/acme/widgets/raw/README.md?ref=nope")).json.errors).toEqual(["not exist: 'nope'"]);
    expect(fake.violations).toEqual([]);
  });

  it("shows another user's permission only to administrators, and anyone his own", async () => {
    const refused = await call("GET", "/repos/acme/widgets/collaborators/alice/permission");
    expect(refused.status).toBe(403);
    expect(refused.json.message).toMatch(/^Only admins can query all permissions/);
    const own = await call("GET", "/repos/acme/widgets/collaborators/coder-bot/permission");
    expect(own.json).toMatchObject({ permission: "write", role_name: "write", user: { login: "coder-bot" } });
    expectDocumented("GET", "/repos/acme/widgets/collaborators/coder-bot/permission", 200, own.json);
    fake.setPermission("acme", "widgets", "coder-bot", "admin");
    for (const [login, permission] of [
      ["alice", "admin"],
      ["bob", "read"],
      ["acme", "owner"],
      ["carol", "read"],
    ] as const) {
      if (login === "carol") fake.addComment({ owner: "acme", repo: "widgets", issueNumber: 7, body: "me too", user: "carol" });
      expect((await call("GET", `/repos/acme/widgets/collaborators/${login}/permission`)).json.permission).toBe(permission);
    }
    expect((await call("GET", "/repos/acme/widgets/collaborators/nobody-at-all/permission")).status).toBe(404);
    expect((await call("GET", "/repos/acme/widgets/collaborators/bob")).status).toBe(204);
    expect((await call("GET", "/repos/acme/widgets/collaborators/acme")).status).toBe(404);
    expect((await call("GET", "/repos/acme/widgets/collaborators/nobody-at-all")).status).toBe(422);
    expect(fake.violations).toEqual([]);
  });

  it("gives a repository admin bot every permission from the start", async () => {
    await fake.close();
    await startWith({ botIsRepoAdmin: true });
    expect((await call("GET", "/repos/acme/widgets/collaborators/alice/permission")).json.permission).toBe("admin");
  });
});

describe("fake Gitea: issues, comments and reactions", () => {
  it("serves an issue, and a pull request's issue under the same numbers", async () => {
    const issue = await call("GET", "/repos/acme/widgets/issues/7");
    expect(issue.json).toMatchObject({ number: 7, title: "add() subtracts", user: { login: "bob" }, pull_request: null, comments: 1 });
    expect(issue.json.html_url).toBe(`${fake.url}/acme/widgets/issues/7`);
    expectDocumented("GET", "/repos/acme/widgets/issues/7", 200, issue.json);
    const pull = fake.addPullRequest({ owner: "acme", repo: "widgets", headRef: "fix/add", title: "WIP: Make add() add" });
    expect(pull.number).toBe(8);
    const asIssue = await call("GET", "/repos/acme/widgets/issues/8");
    expect(asIssue.json).toMatchObject({ html_url: `${fake.url}/acme/widgets/pulls/8`, pull_request: { merged: false, draft: true } });
    expect((await call("GET", "/repos/acme/widgets/issues/9")).status).toBe(404);
  });

  it("creates comments as the token's owner and keeps every body an edit replaces", async () => {
    const created = await call("POST", "/repos/acme/widgets/issues/7/comments", { body: { body: "Working on it" } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      body: "Working on it",
      user: { login: "coder-bot" },
      issue_url: `${fake.url}/acme/widgets/issues/7`,
    });
    expect(created.json.html_url).toBe(`${fake.url}/acme/widgets/issues/7#issuecomment-${created.json.id}`);
    expect(created.json.id).not.toBe(99);
    expectDocumented("POST", "/repos/acme/widgets/issues/7/comments", 201, created.json);
    const edited = await call("PATCH", `/repos/acme/widgets/issues/comments/${created.json.id}`, { body: { body: "Done" } });
    expect(edited.status).toBe(200);
    expectDocumented("PATCH", `/repos/acme/widgets/issues/comments/${created.json.id}`, 200, edited.json);
    expect(fake.state.comments.at(-1)).toMatchObject({ body: "Done", history: ["Working on it", "Done"], user: "coder-bot" });
    // A reader may not edit someone else's comment; Gitea answers a bare 403.
    const reader = fake.issueToken({ login: "bob" });
    expect((await call("PATCH", "/repos/acme/widgets/issues/comments/99", { token: reader, body: { body: "x" } })).status).toBe(403);
    expect((await call("PATCH", "/repos/acme/widgets/issues/comments/12345", { body: { body: "x" } })).status).toBe(404);
    expect(fake.violations).toEqual([]);
  });

  it("marks comments on a pull request with pull_request_url", async () => {
    fake.addPullRequest({ owner: "acme", repo: "widgets", headRef: "fix/add", title: "Make add() add" });
    const created = await call("POST", "/repos/acme/widgets/issues/8/comments", { body: { body: "Reviewing" } });
    expect(created.json).toMatchObject({ pull_request_url: `${fake.url}/acme/widgets/pulls/8`, issue_url: "" });
  });

  it("takes Gitea's default reactions: 201 new, 200 again, 403 for another", async () => {
    const path = "/repos/acme/widgets/issues/comments/99/reactions";
    const first = await call("POST", path, { body: { content: "eyes" } });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ content: "eyes", user: { login: "coder-bot" } });
    expectDocumented("POST", path, 201, first.json);
    expect((await call("POST", path, { body: { content: "eyes" } })).status).toBe(200);
    const refused = await call("POST", path, { body: { content: "thumbsup" } });
    expect(refused.status).toBe(403);
    expect(refused.json.message).toBe("'thumbsup' is not an allowed reaction");
    expect(fake.state.reactions).toEqual([expect.objectContaining({ commentId: 99, content: "eyes", user: "coder-bot" })]);
    expect(fake.violations).toEqual([]);
  });
});

describe("fake Gitea: contract and test controls", () => {
  it("fails on request when a test asks it to, after authentication", async () => {
    fake.failNext("issueCreateComment", { status: 502, times: 2 });
    const path = "/repos/acme/widgets/issues/7/comments";
    expect((await call("POST", path, { body: { body: "x" } })).status).toBe(502);
    expect((await call("POST", path, { body: { body: "x" } })).status).toBe(502);
    expect((await call("POST", path, { body: { body: "x" } })).status).toBe(201);
    expect(fake.requests.map((request) => request.status)).toEqual([502, 502, 201]);
  });

  it("records requests and flags bad ones: unknown paths, wrong types, unknown or missing fields", async () => {
    expect((await call("GET", "/repos/acme/widgets/no-such-thing")).status).toBe(404);
    expect((await call("GET", "/repos/acme/widgets/issues/seven")).status).toBe(422);
    const unknownField = await call("POST", "/repos/acme/widgets/issues/7/comments", { body: { body: "x", draft: true } });
    expect(unknownField.status).toBe(422);
    expect((await call("POST", "/repos/acme/widgets/issues/7/comments", { body: { text: "x" } })).status).toBe(422);
    expect(fake.violations).toEqual([
      "GET /repos/acme/widgets/no-such-thing: no Gitea operation has the path /repos/acme/widgets/no-such-thing",
      'GET /repos/acme/widgets/issues/seven: path parameter index="seven" must be an integer',
      "POST /repos/acme/widgets/issues/7/comments: body property draft is not defined",
      "POST /repos/acme/widgets/issues/7/comments: body must have required property 'body'",
      "POST /repos/acme/widgets/issues/7/comments: body property text is not defined",
    ]);
    expect(fake.state.comments).toHaveLength(1);
    expect(fake.requests[2]).toMatchObject({
      method: "POST",
      operationId: "issueCreateComment",
      body: { body: "x", draft: true },
      status: 422,
    });
    expect(fake.requests[2]?.authorization).toBe(`token ${fake.token}`);
  });

  it("answers 404 to valid operations it does not serve, and lists them", async () => {
    expect((await call("GET", "/repos/acme/widgets/labels?page=1")).status).toBe(404);
    expect(fake.unimplemented).toEqual(["issueListLabels: GET /repos/acme/widgets/labels"]);
    expect(fake.violations).toEqual([]);
  });
});
