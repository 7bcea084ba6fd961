import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { narrowIssueComment, narrowPush } from "../../src/forge/github/narrow.js";
import { decodePayload } from "../../src/jobs/job-contracts.js";
import { helpText } from "../../src/notice/help-text.js";
import { SqliteQueue } from "../../src/queue/sqlite-queue.js";
import { openDatabase, type Database } from "../../src/store/database.js";
import { onComment } from "../../src/triggers/on-comment.js";
import { onPush } from "../../src/triggers/on-push.js";
import { parseCommand } from "../../src/triggers/parse-command.js";

const indexJobKind = "index";
const indexPayload = (stored: unknown) => {
  const decoded = decodePayload("index", stored);
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.payload;
};
import { makeIssueCommentEvent, makePushEvent } from "../support/webhooks.js";

describe("index triggers", () => {
  let dir: string;
  let db: Database;
  let queue: SqliteQueue;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "index-triggers-"));
    db = openDatabase(dir);
    queue = new SqliteQueue(db);
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const push = (deliveryId: string, ref: string, extra: { deleted?: boolean } = {}) =>
    onPush(
      narrowPush(
        deliveryId,
        makePushEvent({
          ref,
          owner: "acme",
          repo: "widgets",
          defaultBranch: "main",
          cloneUrl: "https://github.com/acme/widgets.git",
          ...extra,
        }),
      ),
      queue,
      { maxAttempts: 2 },
    );

  it("reads real push payloads", () => {
    const event = narrowPush(
      "d1",
      makePushEvent({
        ref: "refs/heads/main",
        owner: "acme",
        repo: "widgets",
        defaultBranch: "main",
        cloneUrl: "https://github.com/acme/widgets.git",
        installationId: 7,
      }),
    );
    expect(event).toMatchObject({
      type: "push",
      deliveryId: "d1",
      ref: "refs/heads/main",
      deleted: false,
      repository: { address: { forge: "github", installationId: 7 }, owner: "acme", repo: "widgets", defaultBranch: "main" },
    });
    expect(event.after).toMatch(/^[0-9a-f]{40}$/);
  });

  it("a push to the default branch queues one index job; a burst folds into the waiting one", async () => {
    const first = await push("d1", "refs/heads/main");
    expect(first).toMatchObject({ action: "queued", kind: indexJobKind });
    const second = await push("d2", "refs/heads/main");
    expect(second).toEqual({ action: "duplicate", jobId: first.action === "queued" ? first.jobId : -1, kind: indexJobKind });
    const job = await queue.get(first.action === "queued" ? first.jobId : -1);
    expect(indexPayload(job?.payload)).toMatchObject({
      reason: "push",
      repository: { owner: "acme", repo: "widgets", defaultBranch: "main" },
    });
    // Once the waiting job has started, the next merge needs a job of its own.
    const claimed = await queue.claim("worker", { exclusive: false });
    expect(claimed?.id).toBe(job?.id);
    expect(await push("d3", "refs/heads/main")).toMatchObject({ action: "queued" });
  });

  it("ignores other branches, tags and deletions", async () => {
    expect(await push("d1", "refs/heads/feature")).toEqual({ action: "ignored", why: "not the default branch" });
    expect(await push("d2", "refs/tags/v1.0.0")).toEqual({ action: "ignored", why: "not the default branch" });
    expect(await push("d3", "refs/heads/main", { deleted: true })).toEqual({ action: "ignored", why: "branch deleted" });
    expect(await queue.counts()).toMatchObject({ queued: 0 });
  });

  it("/coder index queues an index job that answers on the issue", async () => {
    expect(parseCommand("/coder index")).toEqual({ kind: "command", command: { name: "index", instructions: "", dryRun: false } });
    expect(helpText).toContain("/coder index");
    const event = narrowIssueComment(
      "d9",
      makeIssueCommentEvent({ body: "/coder index", owner: "acme", repo: "widgets", issueNumber: 12, commentId: 99, login: "octocat" }),
    );
    const outcome = await onComment(event, queue, { maxAttempts: 2 });
    expect(outcome).toMatchObject({ action: "queued", kind: indexJobKind });
    const job = await queue.get(outcome.action === "queued" ? outcome.jobId : -1);
    expect(indexPayload(job?.payload)).toMatchObject({ reason: "command", comment: { id: 99, author: "octocat", issueNumber: 12 } });
    expect(await onComment(event, queue, { maxAttempts: 2 })).toMatchObject({ action: "duplicate" });
  });
});

describe("the periodic reconcile", () => {
  it("queues one index job per repository indexed before, and none while one waits", async () => {
    const { queueReconcile } = await import("../../src/triggers/reconcile.js");
    const dir = mkdtempSync(path.join(tmpdir(), "reconcile-"));
    const db = openDatabase(dir);
    try {
      const queue = new SqliteQueue(db);
      expect(await queueReconcile(queue, { maxAttempts: 2 })).toBe(0);
      for (const [i, repo] of ["widgets", "gadgets"].entries()) {
        await onPush(
          narrowPush(
            `d${i}`,
            makePushEvent({
              ref: "refs/heads/main",
              owner: "acme",
              repo,
              defaultBranch: "main",
              cloneUrl: `https://github.com/acme/${repo}.git`,
            }),
          ),
          queue,
          { maxAttempts: 2 },
        );
      }
      // Both push jobs are still waiting: nothing to add.
      expect(await queueReconcile(queue, { maxAttempts: 2 })).toBe(0);
      for (let job = await queue.claim("w", { exclusive: false }); job; job = await queue.claim("w", { exclusive: false }))
        await queue.finish(job.id, "succeeded");
      expect(await queueReconcile(queue, { maxAttempts: 2, now: () => 1 })).toBe(2);
      const latest = await queue.latestPayloads(indexJobKind);
      expect(latest.map((l) => [l.repoKey, indexPayload(l.payload).reason])).toEqual([
        ["acme/gadgets", "reconcile"],
        ["acme/widgets", "reconcile"],
      ]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
