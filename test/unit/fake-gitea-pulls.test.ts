import { execFileSync } from "node:child_process";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitea, validateResponse, type FakeGitea } from "../support/fake-gitea.js";
import { createWidgetsRepo, giteaCaller, type WidgetsRepo } from "../support/gitea-fixture.js";
import { startGitServer, type GitServer } from "../support/git-server.js";

let fake: FakeGitea;
let server: GitServer;
let widgets: WidgetsRepo;
const call = giteaCaller(() => fake);
const PULLS = "/repos/acme/widgets/pulls";

function expectDocumented(method: string, apiPath: string, status: number, body: unknown): void {
  expect(validateResponse({ method, path: apiPath, status, body })).toEqual([]);
}

/** git as the fake runs it, with the settings a developer's config could change pinned. */
function gitOut(...args: string[]): string {
  const pinned = ["-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false", "-c", "diff.renames=true"];
  return execFileSync("git", [...pinned, "--git-dir", widgets.gitDir, ...args], { encoding: "utf8" });
}

async function openPull(): Promise<number> {
  const created = await call("POST", PULLS, { body: { title: "Make add() add", body: "Fixes #7", head: "fix/add", base: "main" } });
  expect(created.status).toBe(201);
  return created.json.number as number;
}

beforeAll(async () => {
  server = await startGitServer({ requireToken: (token) => fake.isValidToken(token) });
  widgets = createWidgetsRepo(server);
});

afterAll(async () => {
  await server.close();
});

beforeEach(async () => {
  fake = await startFakeGitea();
  fake.addRepo({ ...widgets, permissions: { alice: "write" } });
  fake.addIssue({ owner: "acme", repo: "widgets", number: 7, title: "add() subtracts", body: "2 + 3 gives -1" });
});

afterEach(async () => {
  await fake.close();
});

describe("fake Gitea: pull requests", () => {
  it("opens one from a branch, with heads read from git", async () => {
    const created = await call("POST", PULLS, { body: { title: "Make add() add", body: "Fixes #7", head: "fix/add", base: "main" } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      number: 8,
      state: "open",
      title: "Make add() add",
      user: { login: "coder-bot" },
      html_url: `${fake.url}/acme/widgets/pulls/8`,
      url: `${fake.url}/acme/widgets/pulls/8`,
      diff_url: `${fake.url}/acme/widgets/pulls/8.diff`,
      head: { ref: "fix/add", label: "fix/add", sha: widgets.featureSha, repo: { full_name: "acme/widgets", clone_url: widgets.cloneUrl } },
      base: { ref: "main", label: "main", sha: widgets.mainSha },
      merge_base: widgets.mainSha,
    });
    expect(created.json).not.toHaveProperty("draft");
    expectDocumented("POST", PULLS, 201, created.json);
    const fetched = await call("GET", `${PULLS}/8`);
    expect(fetched.json).toEqual(created.json);
    expectDocumented("GET", `${PULLS}/8`, 200, fetched.json);
    expect(fake.violations).toEqual([]);
  });

  it("refuses a second open one for the same branches, missing branches and a missing title", async () => {
    await openPull();
    const duplicate = await call("POST", PULLS, { body: { title: "Again", head: "acme:fix/add", base: "main" } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.message).toMatch(/^pull request already exists for these targets/);
    expect((await call("POST", PULLS, { body: { title: "t", head: "coder/none", base: "main" } })).status).toBe(404);
    expect((await call("POST", PULLS, { body: { title: "t", head: "fix/add", base: "develop" } })).json.message).toBe("BaseNotExist");
    expect((await call("POST", PULLS, { body: { head: "fix/add", base: "main" } })).json).toMatchObject({ message: "[Title]: Required" });
    expect((await call("POST", PULLS, { body: { title: "t", head: "main", base: "main" } })).status).toBe(422);
    expect(fake.state.pulls).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it("lists by state, newest first, a page at a time", async () => {
    for (const title of ["First", "Second", "Third"]) fake.addPullRequest({ owner: "acme", repo: "widgets", headRef: "fix/add", title });
    fake.state.pulls[0]!.state = "closed";
    const open = await call("GET", `${PULLS}?state=open&limit=1`);
    expect(open.json.map((pull: { title: string }) => pull.title)).toEqual(["Third"]);
    expect(open.headers.get("x-total-count")).toBe("2");
    expect(open.headers.get("link")).toBe(
      `<${fake.apiBase}${PULLS}?limit=1&page=2&state=open>; rel="next",<${fake.apiBase}${PULLS}?limit=1&page=2&state=open>; rel="last"`,
    );
    expectDocumented("GET", PULLS, 200, open.json);
    const all = await call("GET", `${PULLS}?state=all&sort=oldest`);
    expect(all.json.map((pull: { title: string }) => pull.title)).toEqual(["First", "Second", "Third"]);
    expect((await call("GET", `${PULLS}?state=merged`)).status).toBe(422);
    expect(fake.violations).toEqual(['GET /repos/acme/widgets/pulls: query parameter state="merged" must be one of closed, open, all']);
  });

  it("serves the diff and patch as git prints them, and the changed files", async () => {
    const number = await openPull();
    const diff = await call("GET", `${PULLS}/${number}.diff`);
    expect(diff.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(diff.text).toBe(gitOut("diff", "--no-color", "-p", `${widgets.mainSha}...${widgets.featureSha}`));
    expect(diff.text).toContain("diff --git a/src/add.js b/src/add.js");
    expect((await call("GET", `${PULLS}/${number}.patch`)).text).toContain("Subject: [PATCH] Make add() add");
    const files = await call("GET", `${PULLS}/${number}/files`);
    const byName = Object.fromEntries(files.json.map((file: { filename: string }) => [file.filename, file]));
    expect(byName).toMatchObject({
      "src/add.js": { status: "changed", additions: 1, deletions: 1, changes: 2 },
      "src/new.js": { status: "added", additions: 1, deletions: 0 },
      "docs/old.md": { status: "deleted", deletions: 1 },
      "NOTES.md": { status: "renamed", previous_filename: "notes.txt", changes: 0 },
    });
    expect(files.headers.get("x-total-count")).toBe("4");
    expectDocumented("GET", `${PULLS}/${number}/files`, 200, files.json);
    expect(fake.violations).toEqual([]);
  });

  it("compares base...head", async () => {
    const compared = await call("GET", "/repos/acme/widgets/compare/main...fix/add");
    expect(compared.json).toMatchObject({
      total_commits: 1,
      commits: [{ sha: widgets.featureSha, commit: { message: "Make add() add\n" } }],
    });
    expect(compared.json.commits[0].files).toContainEqual({ filename: "docs/old.md", status: "removed" });
    expectDocumented("GET", "/repos/acme/widgets/compare/main...fix/add", 200, compared.json);
    expect((await call("GET", "/repos/acme/widgets/compare/fix/add...main")).json.total_commits).toBe(0);
    expect((await call("GET", "/repos/acme/widgets/compare/main...nope")).status).toBe(404);
  });
});
