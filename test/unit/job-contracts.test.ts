import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dispatcher, type JobHandlers } from "../../src/jobs/dispatch.js";
import { decodePayload, encodePayload, PAYLOAD_FORMAT, type JobKind, type PayloadOf } from "../../src/jobs/job-contracts.js";
import type { Job, JobHandler } from "../../src/jobs/job.js";
import { SqliteQueue } from "../../src/queue/sqlite-queue.js";
import { WorkerPool } from "../../src/queue/worker-pool.js";
import { openDatabase, type Database } from "../../src/store/database.js";
import { waitFor } from "../support/net.js";

const repo = { owner: "acme", repo: "widgets", cloneUrl: "https://github.com/acme/widgets.git", defaultBranch: "main" };
const repository = { address: { forge: "github" as const, installationId: 7 }, ...repo };
const comment = { id: 5_000_001, author: "alice" };

/** Payloads exactly as coder-bot stored them before payloads carried a format number. */
const formatOne = {
  fix: {
    deliveryId: "d-1",
    installationId: 7,
    repo,
    issue: { number: 12, title: "add() is wrong", body: "It subtracts.", isPullRequest: false },
    comment,
    command: { instructions: "keep the API", dryRun: true },
  },
  cancel: {
    installationId: 7,
    comment,
    repo: { owner: "acme", repo: "widgets", defaultBranch: "main" },
    issueNumber: 12,
    command: "cancel",
  },
  help: { installationId: 7, comment, repo: { owner: "acme", repo: "widgets", defaultBranch: "main" }, issueNumber: 12, command: "help" },
  unknown: {
    installationId: 7,
    comment,
    repo: { owner: "acme", repo: "widgets", defaultBranch: "main" },
    issueNumber: 12,
    command: { unknown: "deploy" },
  },
  explain: { installationId: 7, repo, issue: { number: 3, isPullRequest: true }, comment, kind: "explain", text: "src/add.js:1-3" },
  review: { installationId: 7, repo, number: 3, reason: "synchronize" },
  ready: { installationId: null, repo, number: 4, reason: "ready_for_review", comment },
  index: { installationId: 7, repo, reason: "command", comment: { ...comment, issueNumber: 12 } },
};

function decoded<K extends JobKind>(kind: K, stored: unknown): PayloadOf<K> {
  const result = decodePayload(kind, stored);
  if (!result.ok) throw new Error(result.reason);
  return result.payload;
}

function refusal(kind: JobKind, stored: unknown): string {
  const result = decodePayload(kind, stored);
  if (result.ok) throw new Error("the payload was accepted");
  return result.reason;
}

describe("job contracts", () => {
  it("write today's format and read it back unchanged", () => {
    const fix: PayloadOf<"fix"> = {
      deliveryId: "d-9",
      repository,
      issue: { number: 12, title: "t", body: "b", isPullRequest: false },
      comment,
      command: { instructions: "", dryRun: false },
    };
    const stored = JSON.parse(JSON.stringify(encodePayload("fix", fix))) as unknown;
    expect(stored).toMatchObject({ v: PAYLOAD_FORMAT });
    expect(decoded("fix", stored)).toEqual(fix);
  });

  it("read every kind's format-1 payload, as a queue holds it across an upgrade, in today's shape", () => {
    expect(decoded("fix", formatOne.fix)).toEqual({ ...formatOne.fix, installationId: undefined, repo: undefined, repository });
    expect(decoded("fix", formatOne.fix)).not.toHaveProperty("installationId");
    expect(decoded("notice", formatOne.cancel)).toEqual({
      repository: { ...repository, cloneUrl: "" },
      issueNumber: 12,
      comment,
      notice: { type: "cancel" },
    });
    expect(decoded("notice", formatOne.help).notice).toEqual({ type: "help" });
    expect(decoded("notice", formatOne.unknown).notice).toEqual({ type: "unknown", word: "deploy" });
    expect(decoded("ask", formatOne.explain)).toEqual({
      repository,
      issue: { number: 3, isPullRequest: true },
      comment,
      mode: "explain",
      text: "src/add.js:1-3",
    });
    expect(decoded("review", formatOne.review)).toEqual({ repository, number: 3, reason: "updated" });
    expect(decoded("review", formatOne.ready)).toEqual({
      repository: { ...repository, address: { forge: "github", installationId: null } },
      number: 4,
      reason: "ready",
      comment,
    });
    expect(decoded("index", formatOne.index)).toEqual({ repository, reason: "command", comment: { ...comment, issueNumber: 12 } });
  });

  it("refuse what does not parse with a reason that names the field", () => {
    const fix = encodePayload("fix", decoded("fix", formatOne.fix));
    expect(refusal("fix", { ...fix, issue: { number: "12", title: "t", body: "", isPullRequest: false } })).toMatch(
      /^the fix job's payload does not match its contract \(format 2\): issue\.number: /,
    );
    expect(refusal("fix", { ...fix, repository: { ...repository, address: { forge: "gitlab" } } })).toContain("repository.address.forge");
    expect(refusal("index", { ...formatOne.index, reason: "nightly" })).toContain("reason");
    expect(refusal("ask", { ...fix, v: PAYLOAD_FORMAT + 1 })).toBe(
      `the ask job was stored by a newer coder-bot (payload format ${PAYLOAD_FORMAT + 1}, this one reads up to ${PAYLOAD_FORMAT}); upgrade this worker`,
    );
    expect(refusal("ask", { ...fix, v: "2" })).toContain("invalid format number");
    expect(refusal("notice", "cancel")).toBe("the notice job's payload is not an object");
    expect(refusal("notice", null)).toBe("the notice job's payload is not an object");
  });
});

describe("the dequeue boundary", () => {
  let dir: string;
  let db: Database;
  let pool: WorkerPool | undefined;
  afterEach(async () => {
    await pool?.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("fails a job whose payload does not parse, with the reason, and goes on with the others", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "contracts-"));
    db = openDatabase(dir);
    const queue = new SqliteQueue(db);
    const seen: Array<{ kind: string; payload: unknown }> = [];
    const recording = <K extends JobKind>(kind: K): JobHandler<PayloadOf<K>> => ({
      run: (job: Job<PayloadOf<K>>) => {
        seen.push({ kind, payload: job.payload });
        return Promise.resolve("succeeded");
      },
      giveUp: () => Promise.resolve(),
    });
    const handlers: JobHandlers = {
      fix: recording("fix"),
      notice: recording("notice"),
      ask: recording("ask"),
      review: recording("review"),
      index: recording("index"),
    };
    const place = (key: string) => ({ repoKey: "acme/widgets", subject: "issue#12", keys: [key], exclusive: false });
    // A row edited by hand: the repository is gone.
    const broken = await queue.enqueue({
      kind: "fix",
      payload: { v: 2, deliveryId: "d-1", issue: formatOne.fix.issue, comment, command: formatOne.fix.command },
      ...place("a"),
    });
    const old = await queue.enqueue({ kind: "index", payload: formatOne.index, ...place("b") });
    const strange = await queue.enqueue({ kind: "deploy", payload: {}, ...place("c") });
    const current = await queue.enqueue({
      kind: "notice",
      payload: encodePayload("notice", decoded("notice", formatOne.help)),
      ...place("d"),
    });
    pool = new WorkerPool({
      queue,
      dispatch: dispatcher(handlers),
      concurrency: 1,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    await pool.start();
    await waitFor(async () => (await queue.counts()).queued === 0 && pool!.active === 0, "the queue to drain");

    const failed = await queue.get(broken.id);
    expect(failed).toMatchObject({ status: "failed" });
    expect(failed?.lastError).toMatch(/^the fix job's payload does not match its contract \(format 2\): repository: /);
    expect((await queue.get(strange.id))?.lastError).toBe('no handler for job kind "deploy"');
    expect(await queue.get(old.id)).toMatchObject({ status: "succeeded" });
    expect(await queue.get(current.id)).toMatchObject({ status: "succeeded" });
    expect(seen).toEqual([
      { kind: "index", payload: decoded("index", formatOne.index) },
      { kind: "notice", payload: { repository: { ...repository, cloneUrl: "" }, issueNumber: 12, comment, notice: { type: "help" } } },
    ]);
  });
});
