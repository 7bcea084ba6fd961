import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { NewReviewComment, RepoRef } from "../../src/forge/forge.js";
import { ReviewRejectedError } from "../../src/forge/review-rejected-error.js";
import { PayloadError } from "../../src/forge/payload-error.js";
import { GitHubForge } from "../../src/forge/github/github-forge.js";
import { narrowPullRequest } from "../../src/forge/github/narrow.js";
import { startFakeGitHub, type FakeGitHub, type PullRecord } from "../support/fake-github.js";
import { validateResponse } from "../support/github-openapi.js";
import type { RawJson } from "../support/raw-json.js";
import { makePullRequestEvent } from "../support/webhooks.js";

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as Array<{ name: string; examples: RawJson[] }>;
const REPO: RepoRef = { owner: "acme", repo: "widgets" };
const MANY = 120;
/** The body GitHub answers a review with when a comment's line is not in the diff (see the fake). */
const LINE_NOT_IN_DIFF = {
  message: "Unprocessable Entity",
  errors: ["Line could not be resolved"],
  documentation_url: "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
  status: "422",
};

let scratch: string;
let bare: string;
let fake: FakeGitHub;
let forge: GitHubForge;
let token: string;

const calc = (three: string, extra: string[] = []) =>
  Array.from({ length: 30 }, (_, index) => index + 1)
    .flatMap((n) => [`export const v${n} = ${n === 3 ? three : n};`, ...(n === 25 ? extra : [])])
    .join("\n") + "\n";

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-C", dir, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  }).trim();
}

function write(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
}

/**
 * main, and three branches off it: `feature` (two hunks in one file, a rename, a deletion, an
 * added file, a binary change), `many` (MANY added files) and `unrelated` (no common history).
 */
function buildRepository(root: string): string {
  const work = path.join(root, "work");
  git(root, "init", "-q", "-b", "main", work);
  write(work, {
    "README.md": "# Widgets\n",
    "src/calc.ts": calc("3"),
    "src/old-name.ts": "export const name = 'old';\n".repeat(5),
    "docs/remove-me.md": "obsolete\nnotes\n",
    "assets/logo.bin": Buffer.from([0, 1, 2, 3, 0, 255]),
  });
  git(work, "add", ".");
  git(work, "commit", "-q", "-m", "initial");
  git(work, "checkout", "-q", "-b", "feature");
  write(work, {
    "src/calc.ts": calc("333", ["export const extra1 = 1;", "export const extra2 = 2;"]),
    "src/added.ts": "export const added = true;\nexport const more = 1;\n",
    "assets/logo.bin": Buffer.from([0, 9, 9, 9, 0]),
  });
  git(work, "mv", "src/old-name.ts", "src/new-name.ts");
  unlinkSync(path.join(work, "docs/remove-me.md"));
  git(work, "add", "-A");
  git(work, "commit", "-q", "-m", "feature work");
  git(work, "checkout", "-q", "main");
  git(work, "checkout", "-q", "-b", "many");
  write(
    work,
    Object.fromEntries(
      Array.from({ length: MANY }, (_, index) => [`gen/file-${String(index).padStart(3, "0")}.txt`, `line of file ${index}\n`]),
    ),
  );
  git(work, "add", ".");
  git(work, "commit", "-q", "-m", "many files");
  git(work, "checkout", "-q", "--orphan", "unrelated");
  git(work, "rm", "-q", "-rf", ".");
  write(work, { "other.txt": "no shared history\n" });
  git(work, "add", ".");
  git(work, "commit", "-q", "-m", "unrelated root");
  const bareDir = path.join(root, "widgets.git");
  git(root, "clone", "-q", "--bare", work, bareDir);
  return bareDir;
}

/** A private copy for a test that moves branches. */
function copyOfRepository(name: string): string {
  const copy = path.join(scratch, `${name}-${Date.now()}.git`);
  git(scratch, "clone", "-q", "--bare", bare, copy);
  return copy;
}

/** The patch of one file as `git diff base...head` prints it, from the first hunk on. */
function gitPatch(gitDir: string, base: string, head: string, file: string): string | null {
  const out = execFileSync("git", ["--git-dir", gitDir, "diff", "--no-color", "-M", `${base}...${head}`, "--", file], { encoding: "utf8" });
  const start = out.indexOf("\n@@");
  return start === -1 ? null : out.slice(start + 1).replace(/\n$/, "");
}

function startPull(headRef: string, options: { gitDir?: string; user?: string } = {}): PullRecord {
  if (options.gitDir) fake.addRepo({ owner: "acme", repo: "moving", gitDir: options.gitDir });
  return fake.addPullRequest({
    owner: REPO.owner,
    repo: options.gitDir ? "moving" : REPO.repo,
    headRef,
    user: options.user ?? "alice",
    title: `Work on ${headRef}`,
    body: "Please review.",
  });
}

async function call(method: string, apiPath: string, body?: unknown) {
  const response = await fetch(`${fake.apiBase}${apiPath}`, {
    method,
    headers: {
      accept: "application/vnd.github+json",
      authorization: `token ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, link: response.headers.get("link"), json: (await response.json()) as RawJson };
}

/** The fake's own answer must match GitHub's documented response schema. */
function expectDocumented(method: string, apiPath: string, status: number, body: unknown): void {
  expect(validateResponse({ method, path: apiPath, status, body })).toEqual([]);
}

function pathsOf(requests: FakeGitHub["requests"], operationId: string) {
  return requests.filter((request) => request.operationId === operationId).map((request) => request.query.page ?? "1");
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "review-forge-"));
  bare = buildRepository(scratch);
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

beforeEach(async () => {
  fake = await startFakeGitHub();
  fake.addRepo({ owner: REPO.owner, repo: REPO.repo, gitDir: bare });
  token = fake.issueToken().token;
  // Throttling spaces writes a second apart for GitHub's sake; the fake needs no such care.
  forge = new GitHubForge(new ProbotOctokit({ auth: { token }, baseUrl: fake.apiBase, throttle: { enabled: false } }));
});

afterEach(async () => {
  // Every request any test made was a valid GitHub request to an operation the fake serves.
  expect(fake.violations).toEqual([]);
  expect(fake.unimplemented).toEqual([]);
  await fake.close();
});

describe("pull request files and details", () => {
  it("lists every file with git's own patches, statuses and counts", async () => {
    const pull = startPull("feature");
    const files = await forge.listPullRequestFiles(REPO, pull.number);
    const byPath = new Map(files.map((file) => [file.path, file]));
    expect([...byPath.keys()].sort()).toEqual(["assets/logo.bin", "docs/remove-me.md", "src/added.ts", "src/calc.ts", "src/new-name.ts"]);

    expect(byPath.get("src/calc.ts")).toMatchObject({ status: "modified", additions: 3, deletions: 1, changes: 4, previousPath: null });
    expect(byPath.get("src/calc.ts")?.patch).toBe(gitPatch(bare, "main", "feature", "src/calc.ts"));
    expect(byPath.get("src/calc.ts")?.patch?.match(/^@@ /gm)).toHaveLength(2);
    expect(byPath.get("src/added.ts")).toMatchObject({
      status: "added",
      additions: 2,
      deletions: 0,
      patch: gitPatch(bare, "main", "feature", "src/added.ts"),
    });
    expect(byPath.get("docs/remove-me.md")).toMatchObject({
      status: "removed",
      additions: 0,
      deletions: 2,
      patch: "@@ -1,2 +0,0 @@\n-obsolete\n-notes",
    });
    // As on GitHub: a pure rename and a binary file have no patch, so no line to comment on.
    expect(byPath.get("src/new-name.ts")).toMatchObject({
      status: "renamed",
      previousPath: "src/old-name.ts",
      patch: null,
      additions: 0,
      deletions: 0,
    });
    expect(byPath.get("src/new-name.ts")?.sha).toBe(git(scratch, "--git-dir", bare, "rev-parse", "feature:src/new-name.ts"));
    expect(byPath.get("assets/logo.bin")).toMatchObject({
      status: "modified",
      patch: null,
      sha: git(scratch, "--git-dir", bare, "rev-parse", "feature:assets/logo.bin"),
    });

    const raw = await call("GET", `/repos/acme/widgets/pulls/${pull.number}/files`);
    expectDocumented("GET", `/repos/acme/widgets/pulls/${pull.number}/files`, 200, raw.json);
  });

  it("follows the Link header across pages of files", async () => {
    const pull = startPull("many");
    const files = await forge.listPullRequestFiles(REPO, pull.number);
    expect(files).toHaveLength(MANY);
    expect(
      files.every(
        (file) =>
          file.status === "added" &&
          file.additions === 1 &&
          file.patch === `@@ -0,0 +1 @@\n+line of file ${Number(file.path.slice(9, 12))}`,
      ),
    ).toBe(true);
    expect(pathsOf(fake.requests, "pulls/list-files")).toEqual(["1", "2"]);

    const second = await call("GET", `/repos/acme/widgets/pulls/${pull.number}/files?per_page=50&page=2`);
    expect(second.json).toHaveLength(50);
    expect(second.json[0].filename).toBe("gen/file-050.txt");
    expect(second.link).toContain('page=3>; rel="next"');
    expect(second.link).toContain('page=1>; rel="first"');
  });

  it("gives reviews what they need about the pull request", async () => {
    const pull = startPull("feature");
    const info = await forge.getPullRequest(REPO, pull.number);
    expect(info).toMatchObject({
      number: pull.number,
      title: "Work on feature",
      body: "Please review.",
      draft: false,
      state: "open",
      author: { login: "alice", isBot: false },
      head: { ref: "feature", sha: git(scratch, "--git-dir", bare, "rev-parse", "feature"), repoFullName: "acme/widgets" },
      base: { ref: "main", sha: git(scratch, "--git-dir", bare, "rev-parse", "main"), repoFullName: "acme/widgets" },
    });
    const raw = await call("GET", `/repos/acme/widgets/pulls/${pull.number}`);
    expect(raw.json).toMatchObject({ commits: 1, additions: 5, deletions: 3, changed_files: 5 });
    expectDocumented("GET", `/repos/acme/widgets/pulls/${pull.number}`, 200, raw.json);
  });
});

describe("comparing heads across pushes", () => {
  it("reports a fast-forward push as ahead with only the files it changed", async () => {
    const gitDir = copyOfRepository("push");
    const work = path.join(scratch, `push-work-${Date.now()}`);
    git(scratch, "clone", "-q", "-b", "feature", gitDir, work);
    const before = git(work, "rev-parse", "HEAD");
    write(work, { "src/added.ts": "export const added = false;\nexport const more = 1;\n" });
    git(work, "commit", "-q", "-am", "second push");
    git(work, "push", "-q", "origin", "feature");
    const after = git(work, "rev-parse", "HEAD");
    startPull("feature", { gitDir });
    const moving: RepoRef = { owner: "acme", repo: "moving" };

    const comparison = await forge.compareCommits(moving, before, after);
    expect(comparison).toMatchObject({
      kind: "compared",
      status: "ahead",
      aheadBy: 1,
      behindBy: 0,
      mergeBaseSha: before,
      mayBeIncomplete: false,
    });
    if (comparison.kind !== "compared") throw new Error("unreachable");
    expect(comparison.files.map((file) => [file.path, file.patch])).toEqual([
      ["src/added.ts", gitPatch(gitDir, before, after, "src/added.ts")],
    ]);
    expect(await forge.compareCommits(moving, after, after)).toMatchObject({ kind: "compared", status: "identical", files: [] });
    expect(await forge.compareCommits(moving, after, before)).toMatchObject({ kind: "compared", status: "behind", behindBy: 1 });
    expect(await forge.compareCommits(moving, "many", "feature")).toMatchObject({
      kind: "compared",
      status: "diverged",
      aheadBy: 2,
      behindBy: 1,
    });

    const raw = await call("GET", `/repos/acme/moving/compare/${before}...${after}`);
    expectDocumented("GET", `/repos/acme/moving/compare/${before}...${after}`, 200, raw.json);
  });

  it("cannot compare from a head that a force push left behind, and says so", async () => {
    const gitDir = copyOfRepository("force");
    const work = path.join(scratch, `force-work-${Date.now()}`);
    git(scratch, "clone", "-q", "-b", "feature", gitDir, work);
    const before = git(work, "rev-parse", "HEAD");
    write(work, { "src/added.ts": "export const added = 'rewritten';\n" });
    git(work, "commit", "-q", "-a", "--amend", "-m", "feature work, rewritten");
    git(work, "push", "-q", "--force", "origin", "feature");
    const after = git(work, "rev-parse", "HEAD");
    startPull("feature", { gitDir });
    const moving: RepoRef = { owner: "acme", repo: "moving" };
    // The old head's objects are still in the repository; no ref reaches them any more.
    expect(git(scratch, "--git-dir", gitDir, "cat-file", "-t", before)).toBe("commit");

    const comparison = await forge.compareCommits(moving, before, after);
    expect(comparison).toMatchObject({ kind: "unavailable", reason: expect.stringContaining("Not Found") });
    const raw = await call("GET", `/repos/acme/moving/compare/${before}...${after}`);
    expect(raw).toMatchObject({
      status: 404,
      json: { message: "Not Found", documentation_url: "https://docs.github.com/rest/commits/commits#compare-two-commits" },
    });
    expectDocumented("GET", `/repos/acme/moving/compare/${before}...${after}`, 404, raw.json);

    const unrelated = await call("GET", "/repos/acme/moving/compare/main...unrelated");
    expect(unrelated.json.message).toBe("No common ancestor between main and unrelated.");
    expect(await forge.compareCommits(moving, "main", "unrelated")).toEqual({
      kind: "unavailable",
      reason: "cannot compare main...unrelated: No common ancestor between main and unrelated.",
    });
    // The full diff of the pull request is still there for the fallback.
    expect((await forge.listPullRequestFiles(moving, 1000)).map((file) => file.path)).toContain("src/added.ts");
  });
});

describe("posting reviews", () => {
  const valid: NewReviewComment[] = [
    { path: "src/calc.ts", line: 3, side: "RIGHT", body: "added line" },
    { path: "src/calc.ts", line: 3, side: "LEFT", body: "removed line" },
    { path: "src/calc.ts", line: 5, side: "RIGHT", body: "context line" },
    { path: "src/calc.ts", startLine: 26, line: 27, side: "RIGHT", body: "two added lines" },
    { path: "src/calc.ts", startLine: 2, line: 3, side: "LEFT", body: "context then removed, old side" },
    { path: "src/calc.ts", startLine: 3, startSide: "LEFT", line: 4, side: "RIGHT", body: "from the removed line to the next new one" },
    { path: "src/added.ts", line: 1, side: "RIGHT", body: "in a new file" },
    { path: "docs/remove-me.md", line: 2, side: "LEFT", body: "in a deleted file" },
  ];

  it("accepts comments on lines of the diff, single and multi-line, on both sides, and stores them", async () => {
    const pull = startPull("feature");
    const head = git(scratch, "--git-dir", bare, "rev-parse", "feature");
    const id = await forge.createReview(REPO, pull.number, { commitId: head, event: "COMMENT", body: "Summary", comments: valid });
    expect(fake.state.reviews).toEqual([
      expect.objectContaining({ id, state: "COMMENTED", body: "Summary", commitId: head, user: fake.botLogin }),
    ]);
    expect(fake.state.reviewComments).toHaveLength(valid.length);
    const stored = fake.state.reviewComments.find((comment) => comment.body === "two added lines");
    expect(stored).toMatchObject({ line: 27, side: "RIGHT", startLine: 26, startSide: "RIGHT" });
    expect(stored?.diffHunk).toMatch(
      /^@@ -23,6 \+23,8 @@.*\n export const v23 = 23;\n export const v24 = 24;\n export const v25 = 25;\n\+export const extra1 = 1;\n\+export const extra2 = 2;$/,
    );

    const comments = await forge.listReviewComments(REPO, pull.number);
    expect(comments.map((comment) => [comment.path, comment.startLine, comment.line, comment.side])).toEqual(
      valid.map((comment) => [comment.path, comment.startLine ?? null, comment.line, comment.side]),
    );
    expect(comments[0]).toMatchObject({
      reviewId: id,
      author: { login: fake.botLogin, isBot: true },
      inReplyToId: null,
      commitId: head,
      originalCommitId: head,
      originalLine: 3,
    });
    expect(await forge.listReviews(REPO, pull.number)).toEqual([
      {
        id,
        commitId: head,
        author: { login: fake.botLogin, isBot: true },
        body: "Summary",
        state: "COMMENTED",
        submittedAt: expect.any(String),
      },
    ]);

    const rawReviews = await call("GET", `/repos/acme/widgets/pulls/${pull.number}/reviews`);
    expectDocumented("GET", `/repos/acme/widgets/pulls/${pull.number}/reviews`, 200, rawReviews.json);
    const rawComments = await call("GET", `/repos/acme/widgets/pulls/${pull.number}/comments`);
    expectDocumented("GET", `/repos/acme/widgets/pulls/${pull.number}/comments`, 200, rawComments.json);
    const forReview = await call("GET", `/repos/acme/widgets/pulls/${pull.number}/reviews/${id}/comments`);
    expect(forReview.json).toHaveLength(valid.length);
    expectDocumented("GET", `/repos/acme/widgets/pulls/${pull.number}/reviews/${id}/comments`, 200, forReview.json);
    const created = await call("POST", `/repos/acme/widgets/pulls/${pull.number}/reviews`, {
      commit_id: head,
      event: "COMMENT",
      body: "Again",
      comments: [{ path: "src/calc.ts", line: 3, side: "RIGHT", body: "x" }],
    });
    expectDocumented("POST", `/repos/acme/widgets/pulls/${pull.number}/reviews`, 200, created.json);
  });

  it("refuses a comment outside the diff with GitHub's 422 and posts nothing", async () => {
    const pull = startPull("feature");
    const head = git(scratch, "--git-dir", bare, "rev-parse", "feature");
    const outside = { path: "src/calc.ts", line: 15, side: "RIGHT", body: "not in any hunk" } as const;
    const raw = await call("POST", `/repos/acme/widgets/pulls/${pull.number}/reviews`, {
      commit_id: head,
      event: "COMMENT",
      body: "Summary",
      comments: [valid[0], outside],
    });
    expect(raw).toMatchObject({ status: 422, json: LINE_NOT_IN_DIFF });
    expect(raw.json).toEqual(LINE_NOT_IN_DIFF);
    expectDocumented("POST", `/repos/acme/widgets/pulls/${pull.number}/reviews`, 422, raw.json);

    const rejected = await forge
      .createReview(REPO, pull.number, { commitId: head, event: "COMMENT", body: "Summary", comments: [...valid, outside] })
      .catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(ReviewRejectedError);
    expect(rejected).toMatchObject({ reason: "unresolved-position", status: 422, errors: ["Line could not be resolved"] });
    expect(fake.state.reviews).toEqual([]);
    expect(fake.state.reviewComments).toEqual([]);
  });

  it("names each refusal the way GitHub does, in one sentence", async () => {
    const pull = startPull("feature");
    const head = git(scratch, "--git-dir", bare, "rev-parse", "feature");
    const refusal = async (comments: NewReviewComment[]) =>
      (
        (await forge
          .createReview(REPO, pull.number, { commitId: head, event: "COMMENT", body: "s", comments })
          .catch((error: unknown) => error)) as ReviewRejectedError
      ).errors;
    expect(await refusal([{ path: "README.md", line: 1, side: "RIGHT", body: "file not in the diff" }])).toEqual([
      "Path could not be resolved",
    ]);
    expect(await refusal([{ path: "src/added.ts", line: 1, side: "LEFT", body: "a new file has no old side" }])).toEqual([
      "Line could not be resolved",
    ]);
    expect(await refusal([{ path: "src/new-name.ts", line: 1, side: "RIGHT", body: "a pure rename has no lines" }])).toEqual([
      "Line could not be resolved",
    ]);
    expect(await refusal([{ path: "src/calc.ts", startLine: 3, line: 26, side: "RIGHT", body: "across hunks" }])).toEqual([
      "Pull request review thread start line must be part of the same hunk as the line.",
    ]);
    expect(await refusal([{ path: "src/calc.ts", startLine: 26, line: 26, side: "RIGHT", body: "empty range" }])).toEqual([
      "Pull request review thread start line must precede the end line.",
    ]);
    expect(
      await refusal([
        { path: "src/calc.ts", line: 15, side: "RIGHT", body: "a" },
        { path: "nope.ts", line: 1, side: "RIGHT", body: "b" },
        { path: "src/calc.ts", line: 40, side: "RIGHT", body: "c" },
      ]),
    ).toEqual(["Line could not be resolved, Path could not be resolved, and Line could not be resolved"]);

    const base = git(scratch, "--git-dir", bare, "rev-parse", "main");
    const stale = await forge
      .createReview(REPO, pull.number, { commitId: base, event: "COMMENT", body: "s", comments: [] })
      .catch((error: unknown) => error);
    expect(stale).toMatchObject({ reason: "commit-not-in-pull-request", errors: ["The commitOID is not part of the pull request"] });
    expect(fake.state.reviews).toEqual([]);
  });

  it("refuses to let the bot approve or block its own pull request", async () => {
    const pull = startPull("feature", { user: fake.botLogin });
    const head = git(scratch, "--git-dir", bare, "rev-parse", "feature");
    const approve = await forge
      .createReview(REPO, pull.number, { commitId: head, event: "APPROVE", body: "ok", comments: [] })
      .catch((error: unknown) => error);
    expect(approve).toMatchObject({ reason: "other", errors: ["Can not approve your own pull request"] });
    const block = await forge
      .createReview(REPO, pull.number, { commitId: head, event: "REQUEST_CHANGES", body: "no", comments: [] })
      .catch((error: unknown) => error);
    expect(block).toMatchObject({ reason: "other", errors: ["Can not request changes on your own pull request"] });
    expect(await forge.createReview(REPO, pull.number, { commitId: head, event: "COMMENT", body: "notes", comments: [] })).toBeGreaterThan(
      0,
    );
  });
});

describe("reading what was already said", () => {
  it("shows replies by their thread, and pages through reviews and comments", async () => {
    const pull = startPull("many");
    const head = git(scratch, "--git-dir", bare, "rev-parse", "many");
    const first = await fake.addReviewComment({
      owner: "acme",
      repo: "widgets",
      pullNumber: pull.number,
      path: "gen/file-000.txt",
      line: 1,
      body: "Why this file?",
      user: "carol",
    });
    const answer = await forge.replyToReviewComment(REPO, pull.number, first.id, "Generated on purpose.");
    const again = await fake.addReviewComment({
      owner: "acme",
      repo: "widgets",
      pullNumber: pull.number,
      inReplyTo: answer.id,
      body: "Fine, thanks.",
      user: "carol",
    });
    expect(again.inReplyToId).toBe(first.id);
    await expect(
      fake.addReviewComment({ owner: "acme", repo: "widgets", pullNumber: pull.number, path: "gen/file-000.txt", line: 2, body: "x" }),
    ).rejects.toThrow("Line could not be resolved");
    const notes = Array.from({ length: 100 }, (_, index) => ({
      path: `gen/file-${String(index + 1).padStart(3, "0")}.txt`,
      line: 1,
      side: "RIGHT" as const,
      body: `note ${index + 1}`,
    }));
    const bulk = await forge.createReview(REPO, pull.number, { commitId: head, event: "COMMENT", body: "Many notes", comments: notes });
    // Each reply is a review of its own on GitHub, which is how a pull request gathers a hundred reviews.
    for (let index = 0; index < 100; index++)
      await fake.addReviewComment({
        owner: "acme",
        repo: "widgets",
        pullNumber: pull.number,
        inReplyTo: first.id,
        body: `+${index}`,
        user: "dave",
      });

    const comments = await forge.listReviewComments(REPO, pull.number);
    expect(comments).toHaveLength(203);
    expect(
      comments.slice(0, 3).map((comment) => [comment.id, comment.inReplyToId, comment.author?.login, comment.path, comment.line]),
    ).toEqual([
      [first.id, null, "carol", "gen/file-000.txt", 1],
      [answer.id, first.id, fake.botLogin, "gen/file-000.txt", 1],
      [again.id, first.id, "carol", "gen/file-000.txt", 1],
    ]);
    expect(comments.filter((comment) => comment.reviewId === bulk).map((comment) => comment.body)).toEqual(notes.map((note) => note.body));
    expect(comments.filter((comment) => comment.inReplyToId === first.id)).toHaveLength(102);
    expect(answer.url).toBe(`${fake.url}/acme/widgets/pull/${pull.number}#discussion_r${answer.id}`);
    expect(pathsOf(fake.requests, "pulls/list-review-comments")).toEqual(["1", "2", "3"]);

    const reviews = await forge.listReviews(REPO, pull.number);
    expect(reviews).toHaveLength(104);
    expect(reviews.slice(0, 4).map((review) => [review.author?.login, review.body, review.state])).toEqual([
      ["carol", "", "COMMENTED"],
      [fake.botLogin, "", "COMMENTED"],
      ["carol", "", "COMMENTED"],
      [fake.botLogin, "Many notes", "COMMENTED"],
    ]);
    expect(pathsOf(fake.requests, "pulls/list-reviews")).toEqual(["1", "2"]);

    const page = await call("GET", `/repos/acme/widgets/pulls/${pull.number}/comments?per_page=2&sort=created&direction=desc`);
    expect(page.json.map((comment: { body: string }) => comment.body)).toEqual(["+99", "+98"]);
    expect(page.link).toContain('page=102>; rel="last"');
    const reviewPage = await call("GET", `/repos/acme/widgets/pulls/${pull.number}/reviews?per_page=50&page=3`);
    expect(reviewPage.json).toHaveLength(4);
    expect(reviewPage.link).toContain('page=2>; rel="prev"');
    const reply = await call("POST", `/repos/acme/widgets/pulls/${pull.number}/comments/${first.id}/replies`, { body: "One more thing." });
    expect(reply.status).toBe(201);
    expectDocumented("POST", `/repos/acme/widgets/pulls/${pull.number}/comments/${first.id}/replies`, 201, reply.json);
    expect((await call("POST", `/repos/acme/widgets/pulls/${pull.number}/comments/1/replies`, { body: "to nothing" })).status).toBe(404);
  });

  it("tells which threads were resolved through GraphQL, by the id of their first comment, across pages", async () => {
    const pull = startPull("many");
    const head = git(scratch, "--git-dir", bare, "rev-parse", "many");
    const notes = Array.from({ length: 101 }, (_, index) => ({
      path: `gen/file-${String(index + 1).padStart(3, "0")}.txt`,
      line: 1,
      side: "RIGHT" as const,
      body: `note ${index + 1}`,
    }));
    await forge.createReview(REPO, pull.number, { commitId: head, event: "COMMENT", body: "Many notes", comments: notes });
    expect(await forge.resolvedReviewThreads(REPO, pull.number)).toEqual(new Set());
    const comments = await forge.listReviewComments(REPO, pull.number);
    const [second, last] = [comments[1]!, comments[100]!];
    // Resolving by a reply's id resolves its thread, whose first comment is what GraphQL names.
    const reply = await fake.addReviewComment({
      owner: "acme",
      repo: "widgets",
      pullNumber: pull.number,
      inReplyTo: last.id,
      body: "Done.",
      user: "carol",
    });
    fake.resolveThread(second.id);
    fake.resolveThread(reply.id);
    const before = fake.requests.length;
    expect(await forge.resolvedReviewThreads(REPO, pull.number)).toEqual(new Set([second.id, last.id]));
    const queries = fake.requests.slice(before);
    expect(queries.map((r) => [r.method, r.path, r.operationId, r.status])).toEqual([
      ["POST", "/api/graphql", "graphql", 200],
      ["POST", "/api/graphql", "graphql", 200],
    ]);
    expect((queries[1]!.body as { variables: { number: number; cursor: string } }).variables).toMatchObject({
      owner: "acme",
      name: "widgets",
      number: pull.number,
      cursor: expect.any(String),
    });
    await expect(forge.resolvedReviewThreads(REPO, 9_999)).rejects.toThrow("Could not resolve to a PullRequest with the number of 9999.");
    expect(fake.violations).toEqual([]);
    expect(fake.unimplemented).toEqual([]);
  });
});

describe("narrowPullRequest", () => {
  const neutral: Record<string, string> = { opened: "opened", reopened: "reopened", ready_for_review: "ready", synchronize: "updated" };

  it.each(["opened", "reopened", "ready_for_review", "synchronize"])("narrows the real %s payload as GitHub sent it", (action) => {
    const payload = makePullRequestEvent({ action, owner: "Codertocat", repo: "Hello-World" });
    const untouched = examples
      .find((group) => group.name === "pull_request")!
      .examples.find((example) => example.action === action && example.installation !== undefined)!;
    const event = narrowPullRequest("d-1", untouched);
    expect(event).toMatchObject({
      type: "pull-request",
      deliveryId: "d-1",
      action: neutral[action],
      repository: {
        address: { forge: "github", installationId: untouched.installation.id },
        owner: "Codertocat",
        repo: "Hello-World",
        cloneUrl: untouched.repository.clone_url,
        defaultBranch: untouched.repository.default_branch,
      },
      number: untouched.pull_request.number,
      title: untouched.pull_request.title,
      draft: untouched.pull_request.draft,
      author: { login: "Codertocat", isBot: false },
      head: { sha: untouched.pull_request.head.sha, ref: untouched.pull_request.head.ref, repoFullName: "Codertocat/Hello-World" },
      base: { sha: untouched.pull_request.base.sha, ref: untouched.pull_request.base.ref },
    });
    expect(event?.before).toBe(action === "synchronize" ? untouched.before : null);
    expect(event?.after).toBe(action === "synchronize" ? untouched.after : null);
    expect(narrowPullRequest("d-2", payload)?.action).toBe(neutral[action]);
  });

  it("carries what a test overrides: draft, bot authors, the pusher, a deleted fork and the push range", () => {
    const event = narrowPullRequest(
      "d-3",
      makePullRequestEvent({
        action: "synchronize",
        number: 42,
        title: "Bump",
        body: null,
        draft: true,
        login: "renovate[bot]",
        userType: "Bot",
        sender: "coder-bot[bot]",
        headSha: "b".repeat(40),
        baseSha: "a".repeat(40),
        before: "c".repeat(40),
        headRepoFullName: null,
        installationId: 9,
      }),
    );
    expect(event).toEqual({
      type: "pull-request",
      deliveryId: "d-3",
      action: "updated",
      repository: {
        address: { forge: "github", installationId: 9 },
        owner: "acme",
        repo: "widgets",
        cloneUrl: expect.any(String),
        defaultBranch: "main",
      },
      number: 42,
      title: "Bump",
      body: "",
      draft: true,
      author: { login: "renovate[bot]", isBot: true },
      actor: { login: "coder-bot[bot]", isBot: true },
      head: { sha: "b".repeat(40), ref: "fix-add", repoFullName: null },
      base: { sha: "a".repeat(40), ref: "main" },
      before: "c".repeat(40),
      after: "b".repeat(40),
    });
    const fork = narrowPullRequest("d-4", makePullRequestEvent({ action: "opened", headRepoFullName: "mallory/widgets" }));
    expect(fork?.head.repoFullName).toBe("mallory/widgets");
  });

  it("ignores actions reviews do not react to and rejects a payload without its commits", () => {
    expect(narrowPullRequest("d-5", makePullRequestEvent({ action: "closed" }))).toBeNull();
    expect(narrowPullRequest("d-6", makePullRequestEvent({ action: "labeled" }))).toBeNull();
    const broken = makePullRequestEvent({ action: "opened" });
    delete broken.pull_request.head.sha;
    expect(() => narrowPullRequest("d-7", broken)).toThrow(PayloadError);
  });
});
