import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteQueue } from "../../src/queue/sqlite-queue.js";
import { openDatabase } from "../../src/store/database.js";

const fresh = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "queue-"));
  return { dir, queue: new SqliteQueue(openDatabase(dir)) };
};
const job = (over: Partial<Parameters<SqliteQueue["enqueue"]>[0]> = {}) => ({
  kind: "fix",
  repoKey: "o/r",
  subject: "issue#1",
  payload: { n: 1 },
  keys: ["delivery:1", "comment:o/r:1"],
  ...over,
});

describe("SqliteQueue", () => {
  it("is idempotent by delivery id and by comment id", async () => {
    const { queue } = fresh();
    const first = await queue.enqueue(job());
    expect(first.duplicate).toBe(false);
    expect(await queue.enqueue(job({ keys: ["delivery:1"] }))).toEqual({ id: first.id, duplicate: true });
    expect(await queue.enqueue(job({ keys: ["delivery:2", "comment:o/r:1"] }))).toEqual({ id: first.id, duplicate: true });
    expect((await queue.counts()).queued).toBe(1);
  });

  it("runs one exclusive job per repository at a time, others in parallel", async () => {
    const { queue } = fresh();
    await queue.enqueue(job({ keys: ["a"] }));
    await queue.enqueue(job({ keys: ["b"], subject: "issue#2" }));
    await queue.enqueue(job({ keys: ["c"], repoKey: "o/other" }));
    const one = await queue.claim("w", { exclusive: true });
    const two = await queue.claim("w", { exclusive: true });
    expect(one?.repoKey).toBe("o/r");
    expect(two?.repoKey).toBe("o/other");
    expect(await queue.claim("w", { exclusive: true })).toBeNull();
    await queue.finish(one!.id, "succeeded");
    expect((await queue.claim("w", { exclusive: true }))?.subject).toBe("issue#2");
  });

  it("survives a restart: a running job goes back in line with its attempt counted and its checkpoint kept", async () => {
    const { dir, queue } = fresh();
    await queue.enqueue(job());
    const claimed = await queue.claim("w", { exclusive: true });
    await queue.saveCheckpoint(claimed!.id, { progressCommentId: 7 });
    const reopened = new SqliteQueue(openDatabase(dir));
    expect(await reopened.recoverInterrupted()).toBe(1);
    const again = await reopened.claim("w2", { exclusive: true });
    expect(again).toMatchObject({ id: claimed!.id, attempts: 2, checkpoint: { progressCommentId: 7 } });
  });

  it("cancels queued jobs at once and flags running ones", async () => {
    const { queue } = fresh();
    await queue.enqueue(job({ keys: ["a"] }));
    const running = await queue.claim("w", { exclusive: true });
    await queue.enqueue(job({ keys: ["b"] }));
    const result = await queue.requestCancel("o/r", "issue#1", "alice");
    expect(result.running).toEqual([running!.id]);
    expect(result.queued).toHaveLength(1);
    expect(await queue.cancelRequestedBy(running!.id)).toBe("alice");
    expect((await queue.get(result.queued[0]!))?.status).toBe("cancelled");
  });

  it("does not run again a job whose cancel was asked for before a crash", async () => {
    const { dir, queue } = fresh();
    await queue.enqueue(job());
    const running = await queue.claim("w", { exclusive: true });
    await queue.requestCancel("o/r", "issue#1", "alice");
    const reopened = new SqliteQueue(openDatabase(dir));
    expect(await reopened.recoverInterrupted()).toBe(0);
    expect(await reopened.claim("w2", { exclusive: true })).toBeNull();
    expect((await reopened.get(running!.id))?.status).toBe("cancelled");
  });

  it("delays a retried job by its backoff", async () => {
    let now = 1_000;
    const dir = mkdtempSync(path.join(os.tmpdir(), "queue-"));
    const queue = new SqliteQueue(openDatabase(dir), () => now);
    await queue.enqueue(job());
    const claimed = await queue.claim("w", { exclusive: true });
    await queue.retryLater(claimed!.id, "boom", 5_000);
    expect(await queue.claim("w", { exclusive: true })).toBeNull();
    now += 5_000;
    expect((await queue.claim("w", { exclusive: true }))?.lastError).toBe("boom");
  });
});
