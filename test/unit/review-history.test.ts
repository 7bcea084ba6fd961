import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fingerprint } from "../../src/review/fingerprint.js";
import { ReviewHistory } from "../../src/review/review-history.js";
import { openDatabase, type Database } from "../../src/store/database.js";

describe("review state", () => {
  let dir: string;
  let db: Database;
  let state: ReviewHistory;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "review-state-"));
    db = openDatabase(dir);
    state = new ReviewHistory(db);
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("claims each head once, and gives back a head whose review failed before posting", () => {
    expect(state.claimHead("acme/w", 7, "aaa")).toBe(true);
    expect(state.claimHead("acme/w", 7, "aaa")).toBe(false);
    expect(state.claimHead("acme/w", 8, "aaa")).toBe(true);
    state.releaseHead("acme/w", 7, "aaa");
    expect(state.claimHead("acme/w", 7, "aaa")).toBe(true);
    state.recordReview("acme/w", 7, "aaa", 101, []);
    // A posted review is never given back.
    state.releaseHead("acme/w", 7, "aaa");
    expect(state.claimHead("acme/w", 7, "aaa")).toBe(false);
  });

  it("remembers the last reviewed head and every finding posted, across reopening", () => {
    expect(state.lastReviewedHead("acme/w", 7)).toBeNull();
    state.claimHead("acme/w", 7, "aaa");
    state.recordReview("acme/w", 7, "aaa", 1, [{ fingerprint: "f1", headSha: "aaa", path: "a.ts", line: 3, title: "x" }]);
    state.claimHead("acme/w", 7, "bbb");
    state.recordReview("acme/w", 7, "bbb", 2, [
      { fingerprint: "f2", headSha: "bbb", path: "a.ts", line: 9, title: "y" },
      { fingerprint: "f1", headSha: "bbb", path: "a.ts", line: 5, title: "x" },
    ]);
    db.close();
    db = openDatabase(dir);
    state = new ReviewHistory(db);
    expect(state.lastReviewedHead("acme/w", 7)).toBe("bbb");
    expect([...state.postedFingerprints("acme/w", 7)].sort()).toEqual(["f1", "f2"]);
    expect(state.postedFingerprints("acme/w", 8).size).toBe(0);
  });

  it("fingerprints ignore where the code moved and how it is spaced, not what it says", () => {
    const finding = { path: "src/a.ts", category: "bug" as const, title: "Missing null check!" };
    const same = fingerprint(finding, "  if (user.name) {\n    greet(user)");
    expect(fingerprint({ ...finding, title: "missing null check" }, "if (user.name)   {\n\tgreet(user)\n")).toBe(same);
    expect(fingerprint(finding, "if (user.id) {\n  greet(user)")).not.toBe(same);
    expect(fingerprint({ ...finding, path: "src/b.ts" }, "if (user.name) {\n  greet(user)")).not.toBe(same);
    expect(fingerprint({ ...finding, category: "style" }, "if (user.name) {\n  greet(user)")).not.toBe(same);
  });
});
