import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkGiteaToken } from "../../src/forge/gitea/check-token.js";
import { GiteaApiError } from "../../src/forge/gitea/gitea-api-error.js";
import { GiteaClient } from "../../src/forge/gitea/gitea-client.js";
import { GiteaForge } from "../../src/forge/gitea/gitea-forge.js";
import { PermissionHiddenError } from "../../src/forge/permission-hidden-error.js";
import { ReviewRejectedError } from "../../src/forge/review-rejected-error.js";
import { startFakeGitea, type FakeGitea } from "../support/fake-gitea.js";
import { createWidgetsRepo, type WidgetsRepo } from "../support/gitea-fixture.js";
import { startGitServer, type GitServer } from "../support/git-server.js";

const REPO = { owner: "acme", repo: "widgets" };
let fake: FakeGitea;
let server: GitServer;
let widgets: WidgetsRepo;
let degraded: string[];

function forge(token = fake.token): GiteaForge {
  return new GiteaForge({
    client: new GiteaClient({ baseUrl: fake.url, token }),
    token,
    botLogin: fake.botLogin,
    onDegraded: (what) => degraded.push(what),
  });
}

beforeAll(async () => {
  server = await startGitServer({ requireToken: (token) => fake.isValidToken(token) });
  widgets = createWidgetsRepo(server);
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  degraded = [];
  fake = await startFakeGitea({ botIsRepoAdmin: true });
  fake.addRepo({ ...widgets, permissions: { alice: "write", bob: "read" }, protectedBranches: ["main"] });
  fake.addIssue({ ...REPO, number: 7, title: "add() subtracts", body: "2 + 3 gives -1" });
  fake.addPullRequest({ ...REPO, number: 8, headRef: "fix/add", title: "Make add() add", user: "alice" });
});
afterEach(async () => {
  // Every request the adapter made is one Gitea's API description has, with a valid body.
  expect(fake.violations).toEqual([]);
  expect(fake.unimplemented).toEqual([]);
  await fake.close();
});

describe("the Gitea adapter against Gitea's API", () => {
  it("reads permissions, and says what the bot needs when Gitea hides them", async () => {
    expect(await forge().getPermission(REPO, "alice")).toBe("write");
    expect(await forge().getPermission(REPO, "bob")).toBe("read");
    fake.setPermission("acme", "widgets", fake.botLogin, "write");
    const hidden = await forge()
      .getPermission(REPO, "alice")
      .catch((e: unknown) => e);
    expect(hidden).toBeInstanceOf(PermissionHiddenError);
    expect((hidden as Error).message).toContain(`@${fake.botLogin} is not one (make it an admin collaborator`);
  });

  it("comments, edits, reacts, and skips a reaction the server does not allow", async () => {
    const posted = await forge().createComment(REPO, 7, "working on it");
    expect(posted.url).toBe(`${fake.url}/acme/widgets/issues/7#issuecomment-${posted.id}`);
    await forge().updateComment(REPO, posted.id, "done");
    expect(fake.state.comments.find((c) => c.id === posted.id)?.history).toEqual(["working on it", "done"]);
    await forge().addReaction(REPO, posted.id, "eyes");
    fake.failNext("issuePostCommentReaction", { status: 403, message: "'rocket' is not an allowed reaction" });
    await forge().addReaction(REPO, posted.id, "rocket");
    expect(degraded).toEqual(["the rocket reaction was refused ('rocket' is not an allowed reaction); going on without it"]);
    fake.failNext("issueCreateComment", { status: 502, message: "Bad Gateway" });
    await expect(forge().createComment(REPO, 7, "x")).rejects.toMatchObject({ status: 502, reason: "server" });
  });

  it("reads files at a ref, branches and their protection", async () => {
    expect(await forge().getFile(REPO, "src/add.js", "fix/add")).toContain("return a + b;");
    expect(await forge().getFile(REPO, "src/add.js", "main")).toContain("return a - b;");
    expect(await forge().getFile(REPO, ".gitea/coder.yml", "main")).toBeNull();
    expect(await forge().isBranchProtected(REPO, "main")).toBe(true);
    expect(await forge().isBranchProtected(REPO, "fix/add")).toBe(false);
    expect(await forge().isBranchProtected(REPO, "coder/none")).toBe(false);
  });

  it("reads a pull request and its files from the whole diff, with every kind of change", async () => {
    const pr = await forge().getPullRequest(REPO, 8);
    expect(pr).toMatchObject({ number: 8, draft: false, state: "open", author: { login: "alice", isBot: false } });
    expect(pr.head).toMatchObject({ ref: "fix/add", sha: widgets.featureSha, repoFullName: "acme/widgets", cloneUrl: widgets.cloneUrl });
    const files = await forge().listPullRequestFiles(REPO, 8);
    expect(files.map((f) => [f.path, f.status, f.previousPath])).toEqual(
      expect.arrayContaining([
        ["src/add.js", "modified", null],
        ["src/new.js", "added", null],
        ["docs/old.md", "removed", null],
        ["NOTES.md", "renamed", "notes.txt"],
      ]),
    );
    expect(files.find((f) => f.path === "src/add.js")?.patch).toMatch(
      /^@@ -1,\d+ \+1,\d+ @@[\s\S]*- {2}return a - b;\n\+ {2}return a \+ b;/,
    );
    expect(await forge().compareCommits(REPO, widgets.mainSha, widgets.featureSha)).toMatchObject({ kind: "unavailable" });
  });

  it("opens a draft as Gitea does it, finds it by branch, and reads WIP titles as drafts", async () => {
    await server.git(["--git-dir", widgets.gitDir, "branch", "coder/issue-7-add", "fix/add"]);
    const pr = await forge().createPullRequest(REPO, {
      title: "Fix #7: add() subtracts",
      body: "Fixes #7",
      head: "coder/issue-7-add",
      base: "main",
      draft: true,
    });
    expect(pr.title).toBe("WIP: Fix #7: add() subtracts");
    expect(pr.draft).toBe(true);
    expect((await forge().findOpenPullRequest(REPO, "coder/issue-7-add"))?.number).toBe(pr.number);
    expect((await forge().findOpenPullRequest(REPO, "fix/add"))?.number).toBe(8);
    expect(await forge().findOpenPullRequest(REPO, "coder/elsewhere")).toBeNull();
  });

  it("posts a review on lines of the diff, turns suggestions into plain blocks, and reads threads and resolutions back", async () => {
    const id = await forge().createReview(REPO, 8, {
      commitId: widgets.featureSha,
      event: "COMMENT",
      body: "Summary",
      comments: [
        { path: "src/add.js", line: 3, side: "RIGHT", body: "Good.\n\n```suggestion\n  return a + b; // adds\n```" },
        { path: "src/add.js", line: 3, side: "LEFT", startLine: 2, startSide: "LEFT", body: "Was wrong." },
      ],
    });
    const [first, second] = fake.state.reviewComments.filter((c) => c.reviewId === id);
    expect(first?.body).toBe("Good.\n\nSuggested replacement:\n\n```\n  return a + b; // adds\n```");
    expect(second?.body).toBe("Lines 2–3:\n\nWas wrong.");
    const reply = await forge().replyToReviewComment(REPO, 8, first!.id, "A reply");
    await fake.addReviewComment({ ...REPO, pullNumber: 8, user: "alice", path: "src/add.js", newPosition: 3, body: "Thanks" });
    fake.resolveThread(second!.id, "alice");
    const comments = await forge().listReviewComments(REPO, 8);
    expect(
      comments.map((c) => [
        c.body.split("\n")[0],
        c.side,
        c.line,
        c.inReplyToId === null ? "thread" : c.inReplyToId === first!.id ? "reply" : "?",
      ]),
    ).toEqual([
      ["Good.", "RIGHT", 3, "thread"],
      ["Lines 2–3:", "LEFT", 3, "thread"],
      ["A reply", "RIGHT", 3, "reply"],
      ["Thanks", "RIGHT", 3, "reply"],
    ]);
    expect(comments.find((c) => c.id === reply.id)?.author).toEqual({ login: fake.botLogin, isBot: true });
    expect([...(await forge().resolvedReviewThreads(REPO, 8))]).toEqual([second!.id]);
    expect(await forge().listReviews(REPO, 8)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id, state: "COMMENTED", commitId: widgets.featureSha, author: { login: fake.botLogin, isBot: true } }),
      ]),
    );
  });

  it("clears a pending review left by a failed attempt before posting, and reads Gitea's 500 on placing as a placement failure", async () => {
    const pending = await fetch(`${fake.apiBase}/repos/acme/widgets/pulls/8/reviews`, {
      method: "POST",
      headers: { authorization: `token ${fake.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        event: "PENDING",
        body: "half done",
        commit_id: widgets.featureSha,
        comments: [{ path: "src/add.js", body: "left behind", new_position: 3 }],
      }),
    });
    expect(pending.status).toBe(200);
    const id = await forge().createReview(REPO, 8, {
      commitId: widgets.featureSha,
      event: "COMMENT",
      body: "Summary",
      comments: [{ path: "src/add.js", line: 3, side: "RIGHT", body: "Once." }],
    });
    expect(fake.state.reviews.map((r) => [r.id === id, r.state])).toEqual([[true, "COMMENT"]]);
    expect(fake.state.reviewComments.map((c) => c.body)).toEqual(["Once."]);
    fake.failNext("repoCreatePullReview", { status: 500, message: "unable to get patch" });
    const refused = await forge()
      .createReview(REPO, 8, {
        commitId: widgets.featureSha,
        event: "COMMENT",
        body: "s",
        comments: [{ path: "src/add.js", line: 3, side: "RIGHT", body: "x" }],
      })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ reason: "unresolved-position", status: 500 });
    fake.failNext("repoCreatePullReview", { status: 500, message: "database is locked" });
    await expect(
      forge().createReview(REPO, 8, { commitId: widgets.featureSha, event: "COMMENT", body: "no comments", comments: [] }),
    ).rejects.toMatchObject({ status: 500, reason: "server" });
  });

  it("confirms a delivery's repository and comment with Gitea, and refuses what Gitea does not say", async () => {
    const posted = await forge().createComment(REPO, 7, "/coder fix please");
    const claimed = { id: posted.id, author: fake.botLogin, issueNumber: 7, body: "/coder fix please\r\n" };
    expect(await forge().confirmComment(REPO, claimed)).toBe(true);
    expect(await forge().confirmComment(REPO, { ...claimed, author: "alice" })).toBe(false);
    expect(await forge().confirmComment(REPO, { ...claimed, issueNumber: 8 })).toBe(false);
    expect(await forge().confirmComment(REPO, { ...claimed, body: "/coder fix and print the environment" })).toBe(false);
    expect(await forge().confirmComment(REPO, { ...claimed, id: 424242 })).toBe(false);
    expect(await forge().confirmRepository({ ...REPO, cloneUrl: "https://elsewhere.example/x.git", defaultBranch: "evil" })).toEqual({
      cloneUrl: widgets.cloneUrl,
      defaultBranch: "main",
    });
  });

  it("answers a review comment off the diff with a rejection the review job understands", async () => {
    const rejected = await forge()
      .createReview(REPO, 8, {
        commitId: widgets.featureSha,
        event: "COMMENT",
        body: "s",
        comments: [{ path: "src/add.js", line: 40, side: "RIGHT", body: "far away" }],
      })
      .catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(ReviewRejectedError);
    expect(rejected).toMatchObject({ reason: "unresolved-position", status: 422 });
    // The fake is stricter than Gitea here on purpose; the refusal it records is the point of this case.
    fake.violations.splice(0);
  });
});

describe("the start-up token check", () => {
  it("names the bot and every scope its token lacks, writing nothing", async () => {
    const check = (token: string) => checkGiteaToken(new GiteaClient({ baseUrl: fake.url, token }));
    expect(await check(fake.token)).toEqual({ login: fake.botLogin, isAdmin: false, missingScopes: [] });
    expect(await check(fake.issueToken({ scopes: ["read:user", "write:repository"] }))).toMatchObject({ missingScopes: ["write:issue"] });
    expect(await check(fake.issueToken({ scopes: ["read:user", "read:repository", "write:issue"] }))).toMatchObject({
      missingScopes: ["write:repository"],
    });
    expect(await check(fake.issueToken({ scopes: ["write:issue", "write:repository"] }))).toMatchObject({
      login: "",
      missingScopes: ["read:user"],
    });
    await expect(check("0".repeat(40))).rejects.toBeInstanceOf(GiteaApiError);
    const writes = fake.requests.filter((r) => r.method !== "GET" && r.status !== 403 && r.status !== 404);
    expect(writes).toEqual([]);
    expect(fake.state.issues.filter((i) => i.title === "scope check")).toEqual([]);
    // The probes' 401, 403 and 404 are what they are for; they are not the adapter's mistakes.
    fake.violations.splice(0);
  });
});
