import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitea, validateResponse, type FakeGitea } from "../support/fake-gitea.js";
import { createWidgetsRepo, giteaCaller, type WidgetsRepo } from "../support/gitea-fixture.js";
import { startGitServer, type GitServer } from "../support/git-server.js";

let fake: FakeGitea;
let server: GitServer;
let widgets: WidgetsRepo;
const call = giteaCaller(() => fake);
const REVIEWS = "/repos/acme/widgets/pulls/8/reviews";

function expectDocumented(method: string, apiPath: string, status: number, body: unknown): void {
  expect(validateResponse({ method, path: apiPath, status, body })).toEqual([]);
}

function comment(path: string, position: { new_position?: number; old_position?: number }, body = "note") {
  return { path, body, ...position };
}

beforeAll(async () => {
  server = await startGitServer({ requireToken: (token) => fake.isValidToken(token) });
  widgets = createWidgetsRepo(server);
});

afterAll(async () => {
  await server.close();
});

// Pull request 8 is the bot's own, from fix/add: src/add.js line 3 changes inside the hunk -1,6 +1,6.
beforeEach(async () => {
  fake = await startFakeGitea();
  fake.addRepo({ ...widgets, permissions: { alice: "write" } });
  fake.addIssue({ owner: "acme", repo: "widgets", number: 7, title: "add() subtracts", body: "2 + 3 gives -1" });
  fake.addPullRequest({ owner: "acme", repo: "widgets", number: 8, headRef: "fix/add", title: "Make add() add", user: "coder-bot" });
});

afterEach(async () => {
  await fake.close();
});

describe("fake Gitea: reviews", () => {
  it("accepts comments on lines of the diff and reports them with Gitea's positions", async () => {
    const comments = [comment("src/add.js", { new_position: 3 }, "Fixed here"), comment("src/add.js", { old_position: 3 }, "Was wrong")];
    const review = await call("POST", REVIEWS, { body: { event: "COMMENT", body: "", commit_id: widgets.featureSha, comments } });
    expect(review.status).toBe(200);
    expect(review.json).toMatchObject({ state: "COMMENT", commit_id: widgets.featureSha, comments_count: 2, user: { login: "coder-bot" } });
    expect(review.json.html_url).toMatch(new RegExp(`^${fake.url}/acme/widgets/pulls/8#issuecomment-\\d+$`));
    expectDocumented("POST", REVIEWS, 200, review.json);
    const listed = await call("GET", `${REVIEWS}/${review.json.id}/comments`);
    expect(listed.json).toMatchObject([
      { body: "Fixed here", path: "src/add.js", position: 3, original_position: 0, commit_id: widgets.featureSha, resolver: null },
      { body: "Was wrong", position: 0, original_position: 3, pull_request_review_id: review.json.id },
    ]);
    expect(listed.json[0].diff_hunk).toBe(
      "@@ -1,3 +1,3 @@\n /** Adds two numbers. */\n export function add(a, b) {\n-  return a - b;\n+  return a + b;",
    );
    expect(listed.json[1].diff_hunk).toBe("@@ -1,3 +1,2 @@\n /** Adds two numbers. */\n export function add(a, b) {\n-  return a - b;");
    expect(listed.json[0].html_url).toBe(`${fake.url}/acme/widgets/pulls/8#issuecomment-${listed.json[0].id}`);
    expectDocumented("GET", `${REVIEWS}/${review.json.id}/comments`, 200, listed.json);
    const reviews = await call("GET", REVIEWS);
    expect(reviews.json).toEqual([review.json]);
    expectDocumented("GET", REVIEWS, 200, reviews.json);
    expect(fake.violations).toEqual([]);
  });

  it("refuses a comment off the diff, stores nothing, and records why", async () => {
    const refusals = [
      comment("src/add.js", { new_position: 8 }),
      comment("src/add.js", { new_position: 3, old_position: 3 }),
      comment("README.md", { new_position: 1 }),
      comment("src/new.js", { old_position: 1 }),
    ];
    for (const refused of refusals) {
      const answer = await call("POST", REVIEWS, {
        body: { event: "COMMENT", body: "", comments: [comment("src/new.js", { new_position: 1 }), refused] },
      });
      expect(answer.status).toBe(422);
    }
    expect(fake.state.reviews).toEqual([]);
    expect(fake.state.reviewComments).toEqual([]);
    expect(fake.violations).toEqual([
      `POST ${REVIEWS}: review refused: src/add.js: new_position 8 is not an added or context line of the diff`,
      `POST ${REVIEWS}: review refused: src/add.js: exactly one of new_position (3) and old_position (3) must be set`,
      `POST ${REVIEWS}: review refused: README.md is not changed by the pull request at this commit`,
      `POST ${REVIEWS}: review refused: src/new.js: old_position 1 is not a removed or context line of the diff`,
    ]);
  });

  it("refuses a commit that is not the pull request's, and a misspelt comment field", async () => {
    const answer = await call("POST", REVIEWS, { body: { event: "COMMENT", body: "x", commit_id: widgets.mainSha } });
    expect(answer.status).toBe(422);
    expect(answer.json.message).toBe(`commit_id ${widgets.mainSha} is not a commit of this pull request`);
    const misspelt = await call("POST", REVIEWS, { body: { event: "COMMENT", comments: [{ path: "src/new.js", body: "x", line: 1 }] } });
    expect(misspelt.status).toBe(422);
    expect(fake.violations.at(-1)).toBe(`POST ${REVIEWS}: body/comments/0 property line is not defined`);
  });

  it("follows Gitea's rules for events", async () => {
    const approve = await call("POST", REVIEWS, { body: { event: "APPROVED", body: "LGTM" } });
    expect(approve.json.message).toBe("approve your own pull is not allowed");
    expect((await call("POST", REVIEWS, { body: { event: "COMMENT", body: " " } })).json.message).toBe(
      "review event COMMENT requires a body or a comment",
    );
    const alice = fake.issueToken({ login: "alice" });
    expect((await call("POST", REVIEWS, { token: alice, body: { event: "REQUEST_CHANGES" } })).json.message).toBe(
      "review event REQUEST_CHANGES requires a body",
    );
    const changes = await call("POST", REVIEWS, { token: alice, body: { event: "REQUEST_CHANGES", body: "Add a test" } });
    expect(changes.json).toMatchObject({ state: "REQUEST_CHANGES", official: true, user: { login: "alice" } });
    // GitHub's spelling is no Gitea event: the review stays pending, seen only by its author.
    const pending = await call("POST", REVIEWS, { body: { event: "APPROVE", body: "Looks fine" } });
    expect(pending.json.state).toBe("PENDING");
    expect((await call("GET", REVIEWS)).json.map((review: { state: string }) => review.state)).toEqual(["REQUEST_CHANGES", "PENDING"]);
    expect((await call("GET", REVIEWS, { token: alice })).json.map((review: { state: string }) => review.state)).toEqual([
      "REQUEST_CHANGES",
    ]);
    expect((await call("GET", `${REVIEWS}/${pending.json.id}/comments`, { token: alice })).status).toBe(404);
    expect(fake.violations).toEqual([
      `POST ${REVIEWS}: review refused: approve your own pull is not allowed`,
      `POST ${REVIEWS}: review refused: review event COMMENT requires a body or a comment`,
      `POST ${REVIEWS}: review refused: review event REQUEST_CHANGES requires a body`,
      `POST ${REVIEWS}: event APPROVE is none of APPROVED, REQUEST_CHANGES, COMMENT, PENDING; Gitea keeps such a review pending`,
    ]);
  });

  it("takes a person's review comments and resolves their conversation", async () => {
    const first = await fake.addReviewComment({
      owner: "acme",
      repo: "widgets",
      pullNumber: 8,
      user: "alice",
      path: "src/add.js",
      body: "Why?",
      newPosition: 3,
    });
    expect(first).toMatchObject({ user: "alice", newPosition: 3, oldPosition: 0, resolver: null });
    await expect(
      fake.addReviewComment({
        owner: "acme",
        repo: "widgets",
        pullNumber: 8,
        user: "alice",
        path: "src/add.js",
        body: "x",
        newPosition: 8,
      }),
    ).rejects.toThrow("fake Gitea refuses the review comment: src/add.js: new_position 8 is not an added or context line of the diff");
    const reply = await call("POST", REVIEWS, {
      body: { event: "COMMENT", body: "", comments: [comment("src/add.js", { new_position: 3 }, "Because")] },
    });
    fake.resolveThread(first.id, "alice");
    const theirs = await call("GET", `${REVIEWS}/${first.reviewId}/comments`);
    expect(theirs.json[0]).toMatchObject({ id: first.id, body: "Why?", resolver: { login: "alice" } });
    expectDocumented("GET", `${REVIEWS}/${first.reviewId}/comments`, 200, theirs.json);
    const ours = await call("GET", `${REVIEWS}/${reply.json.id}/comments`);
    expect(ours.json[0]).toMatchObject({ body: "Because", path: "src/add.js", position: 3, resolver: null });
    expect(fake.violations).toEqual([]);
  });
});
