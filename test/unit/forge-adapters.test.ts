import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ForgeWriter } from "../../src/forge/forge-writer.js";
import { Forges } from "../../src/forge/forges.js";
import { GitHubForge } from "../../src/forge/github/github-forge.js";
import { LocalForge } from "../../src/forge/local/local-forge.js";
import { LocalForgeError } from "../../src/forge/local/local-forge-error.js";
import { ReviewRejectedError } from "../../src/forge/review-rejected-error.js";
import { REDACTED } from "../../src/safety/redact.js";
import { validateRequest } from "../support/github-openapi.js";
import type { RawJson } from "../support/raw-json.js";

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as Array<{ name: string; examples: RawJson[] }>;
/** A pull request object as GitHub's API sends it, from a real webhook delivery. */
const realPull = structuredClone(
  examples.find((g) => g.name === "pull_request")!.examples.find((e) => e.action === "opened")!.pull_request,
) as RawJson;

const origin = "https://ghe.example.com";
const REPO = { owner: "acme", repo: "widgets" };
const TOKEN = "installation-token-without-any-shape";

/** Every request the adapter sent, checked against GitHub's OpenAPI description. */
const sent: Array<{ method: string; path: string; body: unknown }> = [];

function github(): GitHubForge {
  return new GitHubForge(
    new ProbotOctokit({ auth: { token: TOKEN }, baseUrl: `${origin}/api/v3`, throttle: { enabled: false }, retry: { enabled: false } }),
  );
}

/** Answers one request, keeping what was sent (the path as the OpenAPI description has it, without `/api/v3`). */
function expectRequest(method: "GET" | "POST" | "PATCH", pathname: string, status: number, body: unknown): void {
  nock(origin)
    .intercept(pathname, method)
    .query(true)
    .reply((uri, requestBody) => {
      sent.push({
        method,
        path: uri.replace(/^\/api\/v3/, ""),
        body: typeof requestBody === "string" && requestBody ? (JSON.parse(requestBody) as unknown) : requestBody || undefined,
      });
      return [status, body];
    });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
  for (const request of sent.splice(0)) expect(validateRequest(request).problems, `${request.method} ${request.path}`).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe("the GitHub adapter at the HTTP boundary", () => {
  it("reads a collaborator's role, and a stranger as no permission", async () => {
    expectRequest("GET", "/api/v3/repos/acme/widgets/collaborators/alice/permission", 200, {
      permission: "write",
      role_name: "maintain",
      user: { login: "alice" },
    });
    expectRequest("GET", "/api/v3/repos/acme/widgets/collaborators/mallory/permission", 404, { message: "Not Found" });
    expectRequest("GET", "/api/v3/repos/acme/widgets/collaborators/bob/permission", 502, { message: "Bad Gateway" });
    const forge = github();
    expect(await forge.getPermission(REPO, "alice")).toBe("maintain");
    expect(await forge.getPermission(REPO, "mallory")).toBe("none");
    await expect(forge.getPermission(REPO, "bob")).rejects.toMatchObject({ status: 502 });
  });

  it("turns GitHub's refusals of a review into a reason, and a missing comparison into a fallback", async () => {
    expectRequest("POST", "/api/v3/repos/acme/widgets/pulls/3/reviews", 422, {
      message: "Unprocessable Entity",
      errors: ["Line could not be resolved"],
    });
    expectRequest("POST", "/api/v3/repos/acme/widgets/pulls/3/reviews", 422, {
      message: "Validation Failed",
      errors: [{ resource: "PullRequestReview", code: "custom", message: "Body is too long" }],
    });
    expectRequest("GET", `/api/v3/repos/acme/widgets/compare/${"a".repeat(40)}...${"b".repeat(40)}`, 404, {
      message: "No common ancestor between a and b.",
    });
    const forge = github();
    const review = {
      commitId: "c".repeat(40),
      event: "COMMENT" as const,
      body: "s",
      comments: [{ path: "src/a.js", line: 3, side: "RIGHT" as const, body: "b" }],
    };
    const first = await forge.createReview(REPO, 3, review).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ReviewRejectedError);
    expect(first).toMatchObject({ reason: "unresolved-position", status: 422 });
    expect(await forge.createReview(REPO, 3, review).catch((e: unknown) => e)).toMatchObject({
      reason: "other",
      errors: ["Body is too long"],
    });
    expect(await forge.compareCommits(REPO, "a".repeat(40), "b".repeat(40))).toEqual({
      kind: "unavailable",
      reason: `cannot compare ${"a".repeat(40)}...${"b".repeat(40)}: No common ancestor between a and b.`,
    });
  });

  it("pages through GraphQL for the resolved review threads", async () => {
    const thread = (id: number, resolved: boolean) => ({
      isResolved: resolved,
      comments: { nodes: [{ url: `https://github.com/acme/widgets/pull/3#discussion_r${id}` }] },
    });
    const page = (nodes: unknown[], next: string | null) => ({
      data: { repository: { pullRequest: { reviewThreads: { pageInfo: { hasNextPage: next !== null, endCursor: next }, nodes } } } },
    });
    const cursors: unknown[] = [];
    nock(origin)
      .post("/api/graphql", (body: { variables: { cursor: unknown } }) => (cursors.push(body.variables.cursor), true))
      .reply(200, page([thread(101, true), thread(102, false)], "c1"))
      .post("/api/graphql", (body: { variables: { cursor: unknown } }) => (cursors.push(body.variables.cursor), true))
      .reply(200, page([thread(103, true)], null));
    expect([...(await github().resolvedReviewThreads(REPO, 3))].sort()).toEqual([101, 103]);
    expect(cursors).toEqual([null, "c1"]);
  });
});

describe("the forge writer", () => {
  it("redacts every text it posts, the token it posts with included, and only what it posts", async () => {
    const deploymentSecret = "webhook-secret-value-1234";
    const leak = `secret ${deploymentSecret}, token ${TOKEN}, key AKIAIOSFODNN7EXAMPLE`;
    expectRequest("POST", "/api/v3/repos/acme/widgets/issues/12/comments", 201, {
      id: 1,
      html_url: "https://github.com/acme/widgets/issues/12#issuecomment-1",
    });
    expectRequest("PATCH", "/api/v3/repos/acme/widgets/issues/comments/1", 200, { id: 1 });
    expectRequest("POST", "/api/v3/repos/acme/widgets/pulls", 201, realPull);
    expectRequest("POST", "/api/v3/repos/acme/widgets/pulls/3/reviews", 200, { id: 77 });
    expectRequest("POST", "/api/v3/repos/acme/widgets/pulls/3/comments/5/replies", 201, {
      id: 78,
      html_url: "https://github.com/acme/widgets/pull/3#discussion_r78",
    });
    expectRequest("GET", "/api/v3/repos/acme/widgets/contents/docs%2Fnotes.md", 200, {
      type: "file",
      encoding: "base64",
      content: Buffer.from(leak).toString("base64"),
      name: "notes.md",
      path: "docs/notes.md",
    });
    const writer = await new Forges({ github: () => Promise.resolve(github()) }, [deploymentSecret, undefined, ""]).open({
      forge: "github",
      installationId: 9,
    });
    expect(writer).toBeInstanceOf(ForgeWriter);
    await writer.createComment(REPO, 12, leak);
    await writer.updateComment(REPO, 1, leak);
    await writer.createPullRequest(REPO, { title: leak, body: leak, head: "coder/issue-12", base: "main", draft: false });
    await writer.createReview(REPO, 3, {
      commitId: "c".repeat(40),
      event: "COMMENT",
      body: leak,
      comments: [{ path: "src/a.js", line: 1, side: "RIGHT", body: leak }],
    });
    await writer.replyToReviewComment(REPO, 3, 5, leak);
    // Reads are the forge's own words, untouched.
    expect(await writer.getFile(REPO, "docs/notes.md", "main")).toBe(leak);

    const bodies = sent.filter((r) => r.method !== "GET").map((r) => r.body);
    const posted = JSON.stringify(bodies);
    expect(bodies).toHaveLength(5);
    for (const secret of [deploymentSecret, TOKEN, "AKIAIOSFODNN7EXAMPLE"]) expect(posted).not.toContain(secret);
    expect(posted.split(REDACTED).length - 1).toBe(3 * 7);
    expect(writer.redact(`git says ${TOKEN}`)).toBe(`git says ${REDACTED}`);
  });
});

describe("the local forge", () => {
  let repo: string;
  beforeAll(() => {
    repo = mkdtempSync(path.join(os.tmpdir(), "local-forge-"));
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args], { cwd: repo, encoding: "utf8" });
    git("init", "-q", "-b", "main");
    writeFileSync(path.join(repo, "coder.yml"), "budgets:\n  steps: 5\n");
    git("add", "-A");
    git("commit", "-qm", "init");
    git("branch", "coder/task-one");
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it("reads files at a commit, owns every branch it did not make, and prints what it would post", async () => {
    const printed: string[] = [];
    const forge = new LocalForge({ root: repo, print: (text) => printed.push(text) });
    expect(await forge.getFile(REPO, "coder.yml", "HEAD")).toBe("budgets:\n  steps: 5\n");
    expect(await forge.getFile(REPO, "missing.yml", "HEAD")).toBeNull();
    expect(await forge.getPermission()).toBe("admin");
    expect(await forge.gitToken()).toBeNull();
    // Every existing branch is off limits: the bot only adds branches here.
    expect(await forge.isBranchProtected(REPO, "coder/task-one")).toBe(true);
    expect(await forge.isBranchProtected(REPO, "main")).toBe(true);
    expect(await forge.isBranchProtected(REPO, "coder/task-two")).toBe(false);
    const posted = await forge.createComment(REPO, 1, "working on it");
    await forge.updateComment(REPO, posted.id, "done");
    await forge.createReview(REPO, 0, {
      commitId: "c",
      event: "COMMENT",
      body: "summary",
      comments: [{ path: "a.js", line: 4, startLine: 2, side: "RIGHT", body: "finding" }],
    });
    expect(printed).toEqual(["working on it", "done", "── a.js:2-4\nfinding", "summary"]);
    await expect(
      forge.createPullRequest(REPO, { title: "t", body: "b", head: "coder/task-two", base: "main", draft: false }),
    ).rejects.toBeInstanceOf(LocalForgeError);
    await expect(forge.getPullRequest(REPO, 3)).rejects.toMatchObject({ reason: "no-pull-requests" });
    expect(await forge.findOpenPullRequest()).toBeNull();
  });
});
