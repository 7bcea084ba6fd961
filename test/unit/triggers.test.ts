import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { githubEvent } from "../../src/forge/github/narrow.js";
import { decodePayload, isJobKind } from "../../src/jobs/job-contracts.js";
import { SqliteQueue } from "../../src/queue/sqlite-queue.js";
import { openDatabase, type Database } from "../../src/store/database.js";
import { routeEvent } from "../../src/triggers/route-event.js";
import { makeIssueCommentEvent, makePullRequestEvent, makePushEvent, type IssueCommentOverrides } from "../support/webhooks.js";

let dir: string;
let db: Database;
let queue: SqliteQueue;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "triggers-"));
  db = openDatabase(dir);
  queue = new SqliteQueue(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

let deliveries = 0;
/** A real `issue_comment.created` delivery, narrowed and routed as the receiver does. */
async function comment(
  overrides: Partial<IssueCommentOverrides> & { body: string },
  options: { indexing?: boolean; withoutCloneUrl?: boolean } = {},
) {
  const payload = makeIssueCommentEvent({
    cloneUrl: "https://github.com/acme/widgets.git",
    commentId: 6_000_000 + deliveries,
    ...overrides,
  });
  if (options.withoutCloneUrl) delete payload.repository.clone_url;
  const event = githubEvent("issue_comment", `d-${++deliveries}`, payload);
  if (!event) throw new Error("the delivery narrowed to nothing");
  const outcome = await routeEvent(event, queue, { maxAttempts: 2, indexing: options.indexing ?? true });
  if (outcome.action === "ignored") return { outcome, job: null };
  const job = await queue.get(outcome.jobId);
  if (!job || !isJobKind(job.kind)) throw new Error("no job");
  const decoded = decodePayload(job.kind, job.payload);
  if (!decoded.ok) throw new Error(decoded.reason);
  return { outcome, job: { kind: job.kind, subject: job.subject, exclusive: job.exclusive, payload: decoded.payload } };
}

describe("the command table", () => {
  it.each([
    ["/coder fix keep the API", false, { kind: "fix", subject: "issue#12", exclusive: true }],
    ["/coder fix", true, { kind: "fix", subject: "issue#12", exclusive: true }],
    ["/coder ask where is add?", false, { kind: "ask", subject: "ask:issue#12", exclusive: false }],
    ["/coder explain src/add.js", true, { kind: "ask", subject: "ask:issue#12", exclusive: false }],
    ["/coder review", true, { kind: "review", subject: "review#12", exclusive: false }],
    ["/coder index", false, { kind: "index", subject: "index", exclusive: false }],
    ["/coder cancel", false, { kind: "notice", subject: "issue#12", exclusive: false }],
    ["/coder help", true, { kind: "notice", subject: "issue#12", exclusive: false }],
    ["/coder", false, { kind: "notice", subject: "issue#12", exclusive: false }],
  ] as const)("%j (on a pull request: %s) starts the job the table names", async (body, pullRequest, expected) => {
    const { job } = await comment({ body, pullRequest });
    expect(job).toMatchObject(expected);
    expect(job?.payload).toMatchObject({
      repository: { address: { forge: "github", installationId: expect.any(Number) }, owner: "acme", repo: "widgets" },
    });
  });

  it("carries what each job needs, narrowed once", async () => {
    expect((await comment({ body: "/coder fix --dry-run\nkeep the API" })).job?.payload).toMatchObject({
      issue: { number: 12, isPullRequest: false },
      comment: { author: "alice" },
      command: { instructions: "keep the API", dryRun: true },
    });
    expect((await comment({ body: "/coder explain src/add.js:1-3" })).job?.payload).toMatchObject({
      mode: "explain",
      text: "src/add.js:1-3",
      issue: { number: 12 },
    });
    expect((await comment({ body: "/coder review", pullRequest: true })).job?.payload).toMatchObject({
      number: 12,
      reason: "command",
      comment: { author: "alice" },
    });
    expect((await comment({ body: "/coder index" })).job?.payload).toMatchObject({
      reason: "command",
      comment: { author: "alice", issueNumber: 12 },
    });
    expect((await comment({ body: "/coder deploy prod" })).job?.payload).toMatchObject({ notice: { type: "unknown", word: "deploy" } });
  });

  it("answers a pull-request command on an issue with a notice, not the job", async () => {
    const { job } = await comment({ body: "/coder review" });
    expect(job).toMatchObject({ kind: "notice", exclusive: false, payload: { notice: { type: "needs-pull-request", command: "review" } } });
  });

  it("ignores what is not a command, comments by bots and apps, and jobs that need a clone URL without one", async () => {
    expect((await comment({ body: "thanks for the fix" })).outcome).toEqual({ action: "ignored", why: "not a command" });
    expect((await comment({ body: "/coder fix", login: "renovate[bot]", userType: "Bot" })).outcome).toEqual({
      action: "ignored",
      why: "comment by a bot",
    });
    expect((await comment({ body: "/coder fix" }, { withoutCloneUrl: true })).outcome).toEqual({
      action: "ignored",
      why: "payload has no clone_url",
    });
    // help and cancel need no clone.
    expect((await comment({ body: "/coder help" }, { withoutCloneUrl: true })).job?.kind).toBe("notice");
    expect((await queue.counts()).queued).toBe(1);
  });

  it("stores a comment once, whichever delivery brings it", async () => {
    const first = await comment({ body: "/coder fix", commentId: 42 });
    const again = await comment({ body: "/coder fix", commentId: 42 });
    expect(again.outcome).toEqual({
      action: "duplicate",
      jobId: first.outcome.action === "queued" ? first.outcome.jobId : -1,
      kind: "fix",
    });
  });
});

describe("pull request and push events", () => {
  it("review a pull request on the actions reviews react to, under the forge-neutral reason", async () => {
    for (const [action, reason] of [
      ["opened", "opened"],
      ["ready_for_review", "ready"],
      ["synchronize", "updated"],
    ] as const) {
      const event = githubEvent("pull_request", `pr-${action}`, makePullRequestEvent({ action, number: 9 }));
      const outcome = await routeEvent(event!, queue, { maxAttempts: 2, indexing: true });
      const job = await queue.get(outcome.action === "ignored" ? -1 : outcome.jobId);
      expect(decodePayload("review", job?.payload)).toMatchObject({ ok: true, payload: { number: 9, reason } });
    }
    expect(githubEvent("pull_request", "pr-closed", makePullRequestEvent({ action: "closed" }))).toBeNull();
    expect(githubEvent("issue_comment", "edited", { ...makeIssueCommentEvent({ body: "/coder fix" }), action: "edited" })).toBeNull();
    expect(githubEvent("star", "s-1", {})).toBeNull();
  });

  it("start nothing on a push while the code index is switched off", async () => {
    const push = githubEvent(
      "push",
      "p-1",
      makePushEvent({
        ref: "refs/heads/main",
        owner: "acme",
        repo: "widgets",
        defaultBranch: "main",
        cloneUrl: "https://github.com/acme/widgets.git",
      }),
    );
    expect(await routeEvent(push!, queue, { maxAttempts: 2, indexing: false })).toEqual({
      action: "ignored",
      why: "the code index is switched off",
    });
    expect(await routeEvent(push!, queue, { maxAttempts: 2, indexing: true })).toMatchObject({ action: "queued", kind: "index" });
  });
});
