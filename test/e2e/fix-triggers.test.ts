import { afterEach, describe, expect, it } from "vitest";
import { Harness } from "../support/bot-harness.js";
import { brokenAddProject, fixAddScript } from "../support/fixtures.js";
import { waitFor } from "../support/net.js";

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

describe("who and what triggers /coder fix (the flows every forge shares are in forges.test.ts)", () => {
  it("ignores comments by bots, including its own", async () => {
    h = await Harness.start({ script: fixAddScript(), files: brokenAddProject });
    await h.startBot();
    const byBot = await h.comment({ body: "/coder fix", login: "renovate[bot]", userType: "Bot" });
    const bySelf = await h.comment({ body: "/coder fix", login: h.github.botLogin, userType: "Bot" });
    expect([byBot.status, bySelf.status]).toEqual([200, 200]);
    await new Promise((r) => setTimeout(r, 500));
    expect(await h.jobCount()).toBe(0);
    expect(h.github.requests).toEqual([]);
  });

  it("answers a malformed .github/coder.yml with a comment naming the field, and runs nothing", async () => {
    h = await Harness.start({
      script: fixAddScript(),
      files: { ...brokenAddProject, ".github/coder.yml": "budgets:\n  steps: lots\ntriggers:\n  permisions: [write]\n" },
    });
    await h.startBot();
    await h.comment({ body: "/coder fix" });
    const comment = await h.waitForComment(/coder\.yml` on the default branch is invalid/);
    expect(comment.body).toContain("`budgets.steps`");
    expect(comment.body).toContain("`triggers.permisions`: is not a known setting");
    expect(h.ollama.chatRequests()).toEqual([]);
    expect(h.github.state.pulls).toEqual([]);
    expect(h.worktreeDirs()).toEqual([]);
    expect(await h.remoteBranches()).toEqual(["main"]);
    expect(h.github.violations).toEqual([]);
  });

  it("reports a failure while checking permissions or acknowledging in the phase it happened, without retrying it", async () => {
    h = await Harness.start({ script: fixAddScript(), files: brokenAddProject });
    await h.startBot();
    h.github.failNext("repos/get-collaborator-permission-level", { status: 403, message: "Resource not accessible by integration" });
    await h.comment({ body: "/coder fix" });
    const permission = await h.waitForComment(/❌ Failed while checking permissions: Resource not accessible by integration/);
    expect(permission.body).toContain("Nothing was pushed.");
    await waitFor(async () => (await h.bot!.services.queue.counts()).failed === 1, "the job to fail");
    h.github.addIssue({ owner: "acme", repo: "widgets", number: 13, title: "Another bug", body: "" });
    h.github.failNext("issues/create-comment", { status: 422, message: "Validation Failed" });
    await h.comment({ body: "/coder fix", issueNumber: 13 });
    await h.waitForComment(/❌ Failed while acknowledging the request: Validation Failed/, 13);
    await waitFor(async () => (await h.bot!.services.queue.counts()).failed === 2, "the second job to fail");
    // Neither was retried: one attempt each, and the model was never asked.
    const db = h.bot!.services.db;
    expect(db.prepare("SELECT attempts FROM jobs ORDER BY id").all()).toEqual([{ attempts: 1 }, { attempts: 1 }]);
    expect(h.ollama.chatRequests()).toEqual([]);
    expect(h.github.state.pulls).toEqual([]);
    expect(h.github.violations).toEqual([]);
  });
});
