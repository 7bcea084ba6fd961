import { execFileSync } from "node:child_process";
import { createPrivateKey } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeRsaKey, startFakeGitHub, type FakeGitHub } from "../support/fake-github.js";
import { validateRequest, validateResponse } from "../support/github-openapi.js";
import type { RawJson } from "../support/raw-json.js";

const FAKE_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxIn0.c2lnbmF0dXJl";

let fake: FakeGitHub;
let token: string;
let scratch: string;
let bareRepo: string;

function gitIn(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-C", dir, ...args], {
    encoding: "utf8",
  }).trim();
}

/** A bare repository with main (README.md, src/app.ts, docs/guide.md) and a branch feature/x adding one commit. */
function makeBareRepo(root: string): string {
  const work = path.join(root, "work");
  mkdirSync(path.join(work, "src"), { recursive: true });
  mkdirSync(path.join(work, "docs"), { recursive: true });
  gitIn(root, "init", "-q", "-b", "main", work);
  writeFileSync(path.join(work, "README.md"), "# Demo\n");
  writeFileSync(path.join(work, "src", "app.ts"), `export const answer = 42;\n${"// padding line\n".repeat(10)}`);
  writeFileSync(path.join(work, "docs", "guide.md"), "Guide\n");
  gitIn(work, "add", ".");
  gitIn(work, "commit", "-q", "-m", "initial");
  gitIn(work, "checkout", "-q", "-b", "feature/x");
  writeFileSync(path.join(work, "README.md"), "# Demo, changed\n");
  gitIn(work, "commit", "-q", "-am", "change readme");
  gitIn(work, "checkout", "-q", "main");
  const bare = path.join(root, "demo.git");
  gitIn(root, "clone", "-q", "--bare", work, bare);
  return bare;
}

async function call(method: string, apiPath: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${fake.apiBase}${apiPath}`, {
    method,
    headers: {
      accept: "application/vnd.github+json",
      authorization: `token ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = response.headers.get("content-type")?.startsWith("application/json") === true ? (JSON.parse(text) as unknown) : undefined;
  return { status: response.status, headers: response.headers, json: json as RawJson, text };
}

/** The fake's own answers must match GitHub's documented response schemas. */
function expectDocumented(method: string, apiPath: string, status: number, body: unknown): void {
  expect(validateResponse({ method, path: apiPath, status, body })).toEqual([]);
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "fake-github-"));
  bareRepo = makeBareRepo(scratch);
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

beforeEach(async () => {
  fake = await startFakeGitHub();
  fake.addRepo({
    owner: "acme",
    repo: "demo",
    gitDir: bareRepo,
    permissions: { alice: "admin", mara: "maintain", tom: "triage", nobody: "none" },
    protectedBranches: ["main"],
  });
  fake.addIssue({ owner: "acme", repo: "demo", number: 12, title: "Crash on start" });
  fake.addComment({ owner: "acme", repo: "demo", issueNumber: 12, id: 501, body: "/coder fix", user: "alice" });
  token = fake.issueToken().token;
});

afterEach(async () => {
  await fake.close();
});

describe("validateRequest", () => {
  it("matches literal segments before parameters", () => {
    expect(validateRequest({ method: "GET", path: "/repos/o/r/pulls" }).operationId).toBe("pulls/list");
    expect(validateRequest({ method: "GET", path: "/repos/o/r/issues/comments" }).operationId).toBe("issues/list-comments-for-repo");
    expect(validateRequest({ method: "GET", path: "/repos/o/r/issues/7" }).operationId).toBe("issues/get");
  });

  it("lets x-multi-segment parameters span slashes, encoded or not", () => {
    expect(validateRequest({ method: "GET", path: "/repos/o/r/contents/src/a/b.ts" }).params.path).toBe("src/a/b.ts");
    expect(validateRequest({ method: "GET", path: "/repos/o/r/contents/src%2Fa%2Fb.ts" }).params.path).toBe("src/a/b.ts");
    const protection = validateRequest({ method: "GET", path: "/repos/o/r/branches/coder/fix-1/protection" });
    expect(protection.operationId).toBe("repos/get-branch-protection");
    expect(protection.params.branch).toBe("coder/fix-1");
  });

  it("honours nullable: true, also where the schema has no type", () => {
    const result = validateRequest({
      method: "PATCH",
      path: "/repos/o/r/issues/1",
      body: { milestone: null, assignee: null, title: null },
    });
    expect(result.problems).toEqual([]);
  });

  it("flags wrong parameter types, enums, unknown query parameters and missing required ones", () => {
    expect(validateRequest({ method: "GET", path: "/repos/o/r/issues/abc" }).problems).toEqual([
      expect.stringContaining("must be an integer"),
    ]);
    expect(validateRequest({ method: "GET", path: "/repos/o/r/pulls", query: { state: "merged" } }).problems).toEqual([
      expect.stringContaining("open, closed, all"),
    ]);
    expect(validateRequest({ method: "GET", path: "/repos/o/r/pulls?heads=a:b" }).problems).toEqual([
      expect.stringContaining("heads is not defined"),
    ]);
    expect(validateRequest({ method: "GET", path: "/search/issues" }).problems).toEqual(["query parameter q is required"]);
  });

  it("checks responses too, so the fake's own answers can be held to the schema", () => {
    const problems = validateResponse({
      method: "GET",
      path: "/repos/o/r/collaborators/u/permission",
      status: 200,
      body: { permission: "maintain" },
    });
    expect(problems).toEqual(
      expect.arrayContaining(["response must have required property 'role_name'", "response must have required property 'user'"]),
    );
    expect(validateResponse({ method: "GET", path: "/app", status: 418, body: {} })).toEqual([
      "apps/get-authenticated does not document status 418",
    ]);
  });

  it("flags body fields the operation does not define", () => {
    const result = validateRequest({
      method: "POST",
      path: "/repos/o/r/pulls",
      body: { title: "t", head: "b", base: "main", drafted: true },
    });
    expect(result.problems).toEqual(["body property drafted is not defined for this operation"]);
  });
});

describe("fake GitHub server", () => {
  it("issues installation tokens for any app JWT and accepts them afterwards", async () => {
    const response = await call("POST", "/app/installations/77/access_tokens", undefined, { authorization: `bearer ${FAKE_JWT}` });
    expect(response.status).toBe(201);
    expect(response.json.token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    expect(response.json).toMatchObject({ permissions: {}, repository_selection: "all" });
    expect(Date.parse(response.json.expires_at)).toBeGreaterThan(Date.now());
    expect(fake.isValidToken(response.json.token)).toBe(true);
    expect(fake.state.tokens.at(-1)?.installationId).toBe(77);
    expectDocumented("POST", "/app/installations/77/access_tokens", 201, response.json);
    expect(fake.violations).toEqual([]);
  });

  it("serves the app, the repository and its installation", async () => {
    const app = await call("GET", "/app", undefined, { authorization: `Bearer ${FAKE_JWT}` });
    expect(app.json).toMatchObject({ id: 1, slug: "coder-bot", owner: { login: expect.any(String) } });
    expectDocumented("GET", "/app", 200, app.json);
    const installation = await call("GET", "/repos/acme/demo/installation", undefined, { authorization: `Bearer ${FAKE_JWT}` });
    expect(installation.json.id).toBe(1);
    expectDocumented("GET", "/repos/acme/demo/installation", 200, installation.json);
    const repo = await call("GET", "/repos/ACME/Demo");
    expect(repo.json).toMatchObject({
      name: "demo",
      full_name: "acme/demo",
      default_branch: "main",
      private: false,
      owner: { login: "acme" },
    });
    expect(repo.json.clone_url).toMatch(/^file:\/\//);
    expectDocumented("GET", "/repos/acme/demo", 200, repo.json);
    expect(fake.violations).toEqual([]);
  });

  it("rejects unknown tokens and a token where a JWT is required", async () => {
    expect((await call("GET", "/repos/acme/demo", undefined, { authorization: "token ghs_nope" })).status).toBe(401);
    expect((await call("GET", "/app")).status).toBe(401);
    expect(fake.violations).toEqual([expect.stringContaining("Bad credentials"), expect.stringContaining("JSON web token")]);
  });

  it("records every request with its authorization header", async () => {
    await call("GET", "/repos/acme/demo?unused=1");
    expect(fake.requests).toEqual([
      expect.objectContaining({
        method: "GET",
        path: "/repos/acme/demo",
        query: { unused: "1" },
        authorization: `token ${token}`,
        operationId: "repos/get",
        status: 422,
      }),
    ]);
  });

  it("creates comments as the bot, with ids clear of the test's", async () => {
    const response = await call("POST", "/repos/acme/demo/issues/12/comments", { body: "On it" });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ body: "On it", user: { login: "coder-bot[bot]", type: "Bot" } });
    expect(response.json.id).toBeGreaterThanOrEqual(9_000_000);
    expect(response.json.html_url).toBe(`${fake.url}/acme/demo/issues/12#issuecomment-${response.json.id}`);
    expectDocumented("POST", "/repos/acme/demo/issues/12/comments", 201, response.json);
    expect(fake.violations).toEqual([]);
  });

  it("answers 404 for comments on an issue it does not know, without a violation", async () => {
    expect((await call("POST", "/repos/acme/demo/issues/13/comments", { body: "x" })).status).toBe(404);
    expect(fake.violations).toEqual([]);
  });

  it("flags a comment without body", async () => {
    const response = await call("POST", "/repos/acme/demo/issues/12/comments", { text: "On it" });
    expect(response.status).toBe(422);
    expect(fake.violations).toContain("POST /repos/acme/demo/issues/12/comments: body must have required property 'body'");
    expect(fake.state.comments).toHaveLength(1);
  });

  it("keeps the edit history of a comment", async () => {
    const created = await call("POST", "/repos/acme/demo/issues/12/comments", { body: "Working…" });
    const updated = await call("PATCH", `/repos/acme/demo/issues/comments/${created.json.id}`, { body: "Done: #1000" });
    expect(updated.status).toBe(200);
    expect(updated.json.body).toBe("Done: #1000");
    expectDocumented("PATCH", `/repos/acme/demo/issues/comments/${created.json.id}`, 200, updated.json);
    expect(fake.state.comments.find((comment) => comment.id === created.json.id)).toMatchObject({
      issueNumber: 12,
      body: "Done: #1000",
      history: ["Working…", "Done: #1000"],
    });
    const listed = await call("GET", "/repos/acme/demo/issues/12/comments");
    expect(listed.json.map((comment: { id: number }) => comment.id)).toEqual([501, created.json.id]);
    expectDocumented("GET", "/repos/acme/demo/issues/12/comments", 200, listed.json);
    expect(fake.violations).toEqual([]);
  });

  it("paginates lists with a Link header", async () => {
    for (let index = 0; index < 3; index++) await call("POST", "/repos/acme/demo/issues/12/comments", { body: `c${index}` });
    const first = await call("GET", "/repos/acme/demo/issues/12/comments?per_page=2");
    expect(first.json).toHaveLength(2);
    expect(first.headers.get("link")).toContain('page=2>; rel="next"');
  });

  it("accepts the eyes reaction and flags one outside the enum", async () => {
    const created = await call("POST", "/repos/acme/demo/issues/comments/501/reactions", { content: "eyes" });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ content: "eyes", user: { login: "coder-bot[bot]" } });
    expectDocumented("POST", "/repos/acme/demo/issues/comments/501/reactions", 201, created.json);
    expect((await call("POST", "/repos/acme/demo/issues/comments/501/reactions", { content: "eyes" })).status).toBe(200);
    expect(fake.state.reactions).toEqual([expect.objectContaining({ commentId: 501, content: "eyes" })]);
    expect(fake.violations).toEqual([]);

    expect((await call("POST", "/repos/acme/demo/issues/comments/501/reactions", { content: "eyes2" })).status).toBe(422);
    expect(fake.violations).toEqual([expect.stringMatching(/body\/content must be one of .*"eyes"/)]);
  });

  it("flags unknown paths and methods with 404", async () => {
    expect((await call("GET", "/repos/acme/demo/no-such-thing")).status).toBe(404);
    expect((await call("DELETE", "/app")).status).toBe(404);
    expect(fake.violations).toEqual([
      "GET /repos/acme/demo/no-such-thing: no GitHub operation has the path /repos/acme/demo/no-such-thing",
      "DELETE /app: no DELETE operation for /app (the path takes GET)",
    ]);
  });

  it("answers 501 for valid operations it does not implement", async () => {
    const response = await call("GET", "/repos/acme/demo/labels");
    expect(response.status).toBe(501);
    expect(fake.unimplemented).toEqual(["issues/list-labels-for-repo: GET /repos/acme/demo/labels"]);
    expect(fake.violations).toEqual([]);
  });

  it("maps maintain to write and triage to read, like GitHub", async () => {
    const expectations: Array<[string, string, string]> = [
      ["alice", "admin", "admin"],
      ["mara", "write", "maintain"],
      ["tom", "read", "triage"],
      ["nobody", "none", "none"],
      ["stranger", "read", "read"],
    ];
    for (const [login, permission, roleName] of expectations) {
      const response = await call("GET", `/repos/acme/demo/collaborators/${login}/permission`);
      expect(response.json).toMatchObject({ permission, role_name: roleName, user: { login } });
      expectDocumented("GET", `/repos/acme/demo/collaborators/${login}/permission`, 200, response.json);
    }
    expect(fake.violations).toEqual([]);
  });

  it("serves file contents from a bare repository", async () => {
    const response = await call("GET", "/repos/acme/demo/contents/src%2Fapp.ts");
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ type: "file", encoding: "base64", name: "app.ts", path: "src/app.ts" });
    const lines = (response.json.content as string).split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(0, -2).every((line) => line.length === 60)).toBe(true);
    const text = Buffer.from(response.json.content as string, "base64").toString("utf8");
    expect(text.startsWith("export const answer = 42;\n")).toBe(true);
    expect(response.json.size).toBe(Buffer.byteLength(text));
    expect(response.json.sha).toBe(
      execFileSync("git", ["--git-dir", bareRepo, "rev-parse", "main:src/app.ts"], { encoding: "utf8" }).trim(),
    );
    expectDocumented("GET", "/repos/acme/demo/contents/src%2Fapp.ts", 200, response.json);

    const onBranch = await call("GET", `/repos/acme/demo/contents/README.md?ref=${encodeURIComponent("feature/x")}`);
    expect(Buffer.from(onBranch.json.content as string, "base64").toString("utf8")).toBe("# Demo, changed\n");
    const raw = await call("GET", "/repos/acme/demo/contents/README.md", undefined, { accept: "application/vnd.github.raw" });
    expect(raw.text).toBe("# Demo\n");
    expect(fake.violations).toEqual([]);
  });

  it("lists directories and answers 404 for missing files and refs", async () => {
    const directory = await call("GET", "/repos/acme/demo/contents/docs");
    expect(directory.json).toEqual([expect.objectContaining({ type: "file", name: "guide.md", path: "docs/guide.md" })]);
    expectDocumented("GET", "/repos/acme/demo/contents/docs", 200, directory.json);
    expect((await call("GET", "/repos/acme/demo/contents/missing.txt")).status).toBe(404);
    expect((await call("GET", "/repos/acme/demo/contents/README.md?ref=nope")).json.message).toBe("No commit found for the ref nope");
    expect(fake.violations).toEqual([]);
  });

  it("serves files set by the test for repositories without git", async () => {
    fake.addRepo({ owner: "acme", repo: "plain" });
    fake.setFile("acme", "plain", ".github/coder.yml", "model: small\n");
    const response = await call("GET", "/repos/acme/plain/contents/.github/coder.yml");
    expect(Buffer.from(response.json.content as string, "base64").toString("utf8")).toBe("model: small\n");
    expect((await call("GET", "/repos/acme/plain/contents/other.yml")).status).toBe(404);
  });

  it("reports branches with their head and protection", async () => {
    const main = await call("GET", "/repos/acme/demo/branches/main");
    expect(main.json).toMatchObject({ name: "main", protected: true, commit: { sha: gitIn(bareRepo, "rev-parse", "main") } });
    expectDocumented("GET", "/repos/acme/demo/branches/main", 200, main.json);
    const feature = await call("GET", "/repos/acme/demo/branches/feature%2Fx");
    expect(feature.json).toMatchObject({ name: "feature/x", protected: false, commit: { sha: gitIn(bareRepo, "rev-parse", "feature/x") } });
    expect((await call("GET", "/repos/acme/demo/branches/gone")).status).toBe(404);
    expect(fake.violations).toEqual([]);
  });

  it("creates pull requests, refusing duplicates and unknown heads", async () => {
    const request = { title: "Fix crash", head: "feature/x", base: "main", body: "Fixes #12", draft: true };
    const created = await call("POST", "/repos/acme/demo/pulls", request);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      number: 1000,
      title: "Fix crash",
      draft: true,
      state: "open",
      head: { ref: "feature/x", sha: gitIn(bareRepo, "rev-parse", "feature/x"), repo: { full_name: "acme/demo" } },
      base: { ref: "main", repo: { full_name: "acme/demo" } },
    });
    expectDocumented("POST", "/repos/acme/demo/pulls", 201, created.json);

    const duplicate = await call("POST", "/repos/acme/demo/pulls", { ...request, head: "acme:feature/x" });
    expect(duplicate.status).toBe(422);
    expect(duplicate.json).toMatchObject({
      message: "Validation Failed",
      errors: [{ resource: "PullRequest", code: "custom", message: "A pull request already exists for acme:feature/x." }],
    });

    const unknownHead = await call("POST", "/repos/acme/demo/pulls", { ...request, head: "coder/nothing" });
    expect(unknownHead.status).toBe(422);
    expect(unknownHead.json.errors).toEqual([{ resource: "PullRequest", field: "head", code: "invalid" }]);
    expect(fake.state.pulls).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it("filters pull requests by owner:branch head, state and base", async () => {
    fake.addPullRequest({ owner: "acme", repo: "demo", headRef: "feature/x", title: "Mine" });
    fake.addPullRequest({
      owner: "acme",
      repo: "demo",
      number: 40,
      headRef: "other",
      headSha: "a".repeat(40),
      headRepoFullName: "someone/demo",
      state: "closed",
    });
    const numbers = async (query: string) =>
      ((await call("GET", `/repos/acme/demo/pulls${query}`)).json as Array<{ number: number }>).map((pull) => pull.number);
    expect(await numbers("?head=acme:feature/x")).toEqual([1000]);
    expect(await numbers("?head=someone:other")).toEqual([]);
    expect(await numbers("?head=someone:other&state=closed")).toEqual([40]);
    expect(await numbers("?state=all&base=main")).toEqual([40, 1000]);
    expect(await numbers("?state=all&direction=asc")).toEqual([1000, 40]);
    // Like GitHub, a head without "owner:" filters nothing.
    expect(await numbers("?head=feature/x&state=all")).toEqual([40, 1000]);
    const listed = await call("GET", "/repos/acme/demo/pulls?state=all");
    expectDocumented("GET", "/repos/acme/demo/pulls", 200, listed.json);
    expect(fake.violations).toEqual([]);
  });

  it("reads a pull request's head from the branch, so a moved branch is seen", async () => {
    const pull = fake.addPullRequest({ owner: "acme", repo: "demo", headRef: "feature/x" });
    const copy = path.join(scratch, "moving.git");
    execFileSync("git", ["clone", "-q", "--bare", bareRepo, copy]);
    fake.addRepo({ owner: "acme", repo: "moving", gitDir: copy });
    const moving = fake.addPullRequest({ owner: "acme", repo: "moving", headRef: "feature/x" });
    gitIn(copy, "update-ref", "refs/heads/feature/x", gitIn(copy, "rev-parse", "main"));
    const response = await call("GET", `/repos/acme/moving/pulls/${moving.number}`);
    expect(response.json.head.sha).toBe(gitIn(copy, "rev-parse", "main"));
    expect(moving.headSha).not.toBe(response.json.head.sha);
    expectDocumented("GET", `/repos/acme/moving/pulls/${moving.number}`, 200, response.json);
    expect((await call("GET", `/repos/acme/demo/pulls/${pull.number}`)).json.head.sha).toBe(pull.headSha);
    expect(fake.violations).toEqual([]);
  });

  it("fails on request when a test asks it to", async () => {
    fake.failNext("issues/create-comment", { status: 502 });
    expect((await call("POST", "/repos/acme/demo/issues/12/comments", { body: "x" })).status).toBe(502);
    expect((await call("POST", "/repos/acme/demo/issues/12/comments", { body: "x" })).status).toBe(201);
  });
});

describe("makeRsaKey", () => {
  it("makes a 2048-bit PKCS#1 RSA key", () => {
    const pem = makeRsaKey();
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(createPrivateKey(pem).asymmetricKeyDetails?.modulusLength).toBe(2048);
  });
});
