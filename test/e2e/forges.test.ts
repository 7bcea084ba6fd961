import Database from "better-sqlite3";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REDACTED } from "../../src/safety/redact.js";
import { Harness, FULL_NAME, SECRET } from "../support/bot-harness.js";
import { brokenAddProject, fixAddScript } from "../support/fixtures.js";
import { GiteaHarness } from "../support/gitea-harness.js";
import type { HarnessBase } from "../support/harness-base.js";
import { waitFor } from "../support/net.js";
import { startScriptedOllama, type ScriptedTurn } from "../support/scripted-ollama.js";
import { shopCart, shopProject } from "../support/shop-fixture.js";

/**
 * The flows every forge must hold, written once and run on each forge from this table: a flow
 * added here is tested on GitHub and on Gitea alike.
 */
type Start = (options: { script: ScriptedTurn[]; files: Record<string, string>; env?: Record<string, string> }) => Promise<HarnessBase>;

const forges: ReadonlyArray<{ name: string; start: Start }> = [
  { name: "GitHub", start: (options) => Harness.start(options) },
  { name: "Gitea", start: (options) => GiteaHarness.start(options) },
];

let h: HarnessBase | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** applyDiscount sits on lines 17-20 of cart.js in the pull request; line 19 leaves fractions of a cent. */
const cartWithDiscount = `${shopCart}\n/** Takes a percentage off every line of the cart. */\nexport function applyDiscount(cart, percent) {\n  for (const line of cart) line.price = line.price * (1 - percent / 100);\n  return cart;\n}\n`;

function review(summary: string, findings: Array<Record<string, unknown>>): ScriptedTurn {
  return { content: `\`\`\`json\n${JSON.stringify({ summary, findings })}\n\`\`\`` };
}

describe.each(forges)("on $name", ({ start }) => {
  it("turns /coder fix on an issue into a pull request, acknowledging before any API call", async () => {
    h = await start({ script: fixAddScript(), files: brokenAddProject });
    await h.startBot();
    // Gitea's bot checks its token at start-up; only what follows the delivery counts.
    const before = h.apiRequestTimes().length;
    const delivery = await h.comment({ body: "/coder fix" });
    expect(delivery.status).toBe(200);
    expect(
      h
        .apiRequestTimes()
        .slice(before)
        .filter((t) => t < delivery.receivedAt - 5),
    ).toEqual([]);
    const done = await h.waitForComment(/Opened pull request #\d+/);
    const [pr] = h.pullRequests();
    expect(pr).toMatchObject({ baseRef: "main", draft: false, headRef: expect.stringMatching(/^coder\/issue-12-/) });
    expect(pr!.body).toContain("Fixes #12");
    expect(await h.fileAt(pr!.headRef, "src/add.js")).toContain("return a + b;");
    const log = await h.git.git(["--git-dir", h.git.repoPath(FULL_NAME), "log", "--format=%s", `main..${pr!.headRef}`]);
    expect(log.trim().split("\n")).toEqual(["Fix #12: add() returns the wrong result"]);
    expect(h.git.acceptedUpdates(FULL_NAME).every((u) => !u.forced)).toBe(true);
    expect(h.git.requests.every((r) => r.authorized)).toBe(true);
    expect(h.botComments()).toHaveLength(1);
    expect(done.history.length).toBeGreaterThan(2);
    expect(done.body).toMatch(/✅ `npm test` passed/);
    expect(h.reactions().map((r) => r.content)).toEqual(["eyes"]);
    await waitFor(() => h!.worktreeDirs().length === 0, "the worktree to be removed");
    expect(h.contractProblems()).toEqual([]);
  });

  it("makes one job of a delivery sent twice and of a redelivered comment", async () => {
    h = await start({ script: fixAddScript(), files: brokenAddProject });
    await h.startBot();
    const first = await h.comment({ body: "/coder fix" }, { deliveryId: "same-delivery" });
    const second = await h.comment({ body: "/coder fix", commentId: first.commentId }, { deliveryId: "same-delivery" });
    const third = await h.comment({ body: "/coder fix", commentId: first.commentId }, { deliveryId: "redelivered" });
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    await h.waitForComment(/Opened pull request/);
    await h.settled(1);
    expect(await h.jobCount()).toBe(1);
    expect(h.pullRequests()).toHaveLength(1);
    expect(h.contractProblems()).toEqual([]);
  });

  it("refuses a delivery with a wrong or missing signature with 4xx and queues nothing", async () => {
    h = await start({ script: fixAddScript(), files: brokenAddProject });
    await h.startBot();
    const before = h.apiRequestTimes().length;
    const forged = await h.comment({ body: "/coder fix" }, { signature: "0".repeat(64) });
    const unsigned = await h.comment({ body: "/coder fix" }, { signature: null });
    for (const answer of [forged, unsigned]) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    }
    expect(await h.jobCount()).toBe(0);
    expect(h.apiRequestTimes().slice(before)).toEqual([]);
  });

  it("politely refuses a commenter without write access, and starts nothing for comments by bots", async () => {
    h = await start({ script: fixAddScript(), files: brokenAddProject });
    await h.startBot();
    const gitBefore = h.git.requests.length;
    await h.comment({ body: "/coder fix", login: "mallory" });
    const refusal = await h.waitForComment(/only take `\/coder` commands/);
    expect(refusal.body).toContain("@mallory");
    await h.settled(1);
    const bySelf = await h.comment({ body: "/coder fix", login: h.botLogin });
    expect(bySelf.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.jobCount()).toBe(1);
    expect(h.reactions()).toEqual([]);
    expect(h.pullRequests()).toEqual([]);
    expect(h.git.requests.slice(gitBefore)).toEqual([]);
    expect(h.worktreeDirs()).toEqual([]);
    expect(h.ollama.chatRequests()).toEqual([]);
    expect(h.contractProblems()).toEqual([]);
  });

  it("answers help, and pushes to a new branch when its own branch holds someone else's commits", async () => {
    h = await start({ script: fixAddScript(), files: brokenAddProject });
    const taken = "coder/issue-12-add-returns-the-wrong-result";
    const theirs = await h.commitOn(taken, [{ files: { "NOTES.md": "someone else's work\n" } }]);
    await h.startBot();
    await h.comment({ body: "/coder help" });
    await h.waitForComment(/coder-bot commands/);
    await h.comment({ body: "/coder fix" });
    const done = await h.waitForComment(/Opened pull request/);
    expect(done.body).toContain(`\`${taken}\` already had other commits, so I pushed to \`${taken}-2\``);
    expect(h.pullRequests().map((p) => p.headRef)).toEqual([`${taken}-2`]);
    expect((await h.git.git(["--git-dir", h.git.repoPath(FULL_NAME), "rev-parse", taken])).trim()).toBe(theirs);
    expect(h.git.refUpdates(FULL_NAME).filter((u) => u.forced)).toEqual([]);
    expect(h.contractProblems()).toEqual([]);
  });

  it("redacts the webhook secret, the bot's credentials and credential shapes from what it posts", async () => {
    const leak = `the secret is ${SECRET}, a token ghp_${"A1b2C3d4".repeat(5)}`;
    const script = fixAddScript();
    script[script.length - 1] = { toolCalls: [{ name: "finish", arguments: { summary: leak } }] };
    h = await start({ script, files: brokenAddProject });
    await h.startBot();
    await h.comment({ body: "/coder fix" });
    const done = await h.waitForComment(/Opened pull request/);
    const credentials = [SECRET, `ghp_${"A1b2C3d4".repeat(5)}`, h.env.GITEA_TOKEN ?? h.env.PRIVATE_KEY ?? ""].filter(Boolean);
    for (const text of [...done.history, h.pullRequests()[0]!.body ?? ""])
      for (const secret of credentials) expect(text).not.toContain(secret);
    expect(done.body).toContain(`the secret is ${REDACTED}, a token ${REDACTED}`);
    expect(h.contractProblems()).toEqual([]);
  });

  it("with --dry-run pushes nothing, opens nothing and posts one comment with the diff", async () => {
    h = await start({ script: fixAddScript(), files: brokenAddProject });
    await h.startBot();
    const gitBefore = h.git.requests.length;
    await h.comment({ body: "/coder fix --dry-run" });
    const comment = await h.waitForComment(/Dry run: nothing was pushed/);
    expect(comment.body).toContain("-  return a - b;");
    expect(comment.body).toContain("+  return a + b;");
    expect(h.botComments()).toHaveLength(1);
    expect(h.pullRequests()).toEqual([]);
    expect(await h.remoteBranches()).toEqual(["main"]);
    expect(h.git.requests.slice(gitBefore).filter((r) => r.service === "git-receive-pack")).toEqual([]);
    expect(h.contractProblems()).toEqual([]);
  });

  it("/coder cancel stops the running job and says so", async () => {
    const script = fixAddScript();
    script.splice(1, 0, { delayMs: 20_000, turn: { toolCalls: [{ name: "list_files", arguments: {} }] } });
    const harness = await start({ script, files: brokenAddProject });
    h = harness;
    await harness.startBot();
    await harness.comment({ body: "/coder fix" });
    await waitFor(() => harness.ollama.chatRequests().length >= 2, "the agent to be mid-run");
    await harness.comment({ body: "/coder cancel" });
    const cancelled = await harness.waitForComment(/🛑 Cancelled by @alice/);
    expect(cancelled.body).toContain("Nothing was pushed");
    await harness.waitForComment(/I am stopping the running job/);
    await waitFor(async () => (await harness.bot!.services.queue.counts()).cancelled === 1, "the job to be cancelled");
    expect(harness.pullRequests()).toEqual([]);
    expect(await harness.remoteBranches()).toEqual(["main"]);
    await waitFor(() => harness.worktreeDirs().length === 0, "the worktree to be removed");
    expect(harness.contractProblems()).toEqual([]);
  });

  it("adds a fast-forward commit on top of a pull request's own branch when asked there", async () => {
    h = await start({ script: fixAddScript(), files: brokenAddProject });
    const pr = await h.openPullRequest({
      branch: "feature/docs",
      commits: [{ files: { "docs/usage.md": "Use add(a, b).\n" } }],
      title: "Document add",
      deliver: false,
    });
    await h.startBot();
    await h.comment({ body: "/coder fix also make the test pass", issueNumber: pr.number, pullRequest: true });
    const done = await h.waitForComment(/on top of `feature\/docs` \(fast-forward\)/, pr.number);
    expect(done.body).toContain("✅ `npm test` passed");
    const newHead = await h.headOf(pr.number);
    expect((await h.git.git(["--git-dir", h.git.repoPath(FULL_NAME), "rev-parse", `${newHead}^`])).trim()).toBe(pr.head);
    expect(
      h.git
        .acceptedUpdates(FULL_NAME)
        .filter((u) => u.ref === "refs/heads/feature/docs")
        .at(-1),
    ).toMatchObject({ oldSha: pr.head, newSha: newHead, forced: false });
    expect(h.pullRequests().map((p) => p.number)).toEqual([pr.number]);
    expect(h.contractProblems()).toEqual([]);
  });

  it("reviews on command, explains a file, and brings the index up to date on command", { timeout: 120_000 }, async () => {
    h = await start({
      script: [
        review("Adds applyDiscount.", [
          {
            path: "src/cart.js",
            line: 19,
            severity: "major",
            category: "bug",
            title: "Prices keep fractions of a cent",
            body: "Round it.",
          },
        ]),
        { toolCalls: [{ name: "answer", arguments: { answer: "`salesTax` multiplies and rounds down (src/tax.js:5)." } }] },
      ],
      files: shopProject,
    });
    await h.startBot();
    const pr = await h.openPullRequest({
      branch: "feature/discounts",
      commits: [{ files: { "src/cart.js": cartWithDiscount } }],
      deliver: false,
    });
    await h.comment({ body: "/coder review", issueNumber: pr.number, pullRequest: true });
    const [posted] = await h.waitForReviews(pr.number, 1);
    expect(h.reviewComments(posted!.id).map((c) => [c.path, c.line])).toEqual([["src/cart.js", 19]]);
    await h.settled(1);
    await h.comment({ body: "/coder explain src/tax.js:4-6" });
    const explained = await h.waitForComment(/^> \/coder explain src\/tax\.js:4-6/);
    expect(explained.body).toContain("src/tax.js:5");
    await h.settled(2);
    await h.comment({ body: "/coder index" });
    await h.waitForComment(/🗂️ Indexed `main`/, 12, 90_000);
    expect(h.bot!.services.codeIndex!.index.ready(h.repoKey, "main")).toBe(true);
    expect(h.contractProblems()).toEqual([]);
  });

  it("reviews a pull request with inline comments on lines of its diff only", async () => {
    h = await start({
      script: [
        review("Adds applyDiscount.", [
          {
            path: "src/cart.js",
            line: 19,
            severity: "major",
            category: "bug",
            title: "Prices keep fractions of a cent",
            body: "Round the discounted price.",
            replacement: "  for (const line of cart) line.price = Math.round(line.price * (1 - percent / 100));",
          },
          { path: "src/tax.js", line: 5, severity: "minor", category: "bug", title: "Not in this change", body: "Rounds down." },
        ]),
      ],
      files: shopProject,
    });
    await h.startBot();
    const pr = await h.openPullRequest({
      branch: "feature/discounts",
      commits: [{ files: { "src/cart.js": cartWithDiscount }, message: "Add applyDiscount" }],
    });
    const [posted] = await h.waitForReviews(pr.number, 1);
    await h.settled(1);
    expect(posted!.commitId).toBe(pr.head);
    const inline = h.reviewComments(posted!.id);
    expect(inline.map((c) => [c.path, c.line, c.side])).toEqual([["src/cart.js", 19, "RIGHT"]]);
    expect(inline[0]!.body).toContain("Prices keep fractions of a cent");
    expect(inline[0]!.body).toContain("Math.round(line.price");
    expect(posted!.body).toContain("Not in this change");
    expect(h.contractProblems()).toEqual([]);
  });

  it("answers /coder ask from the code with links to the lines it cites", async () => {
    h = await start({
      script: [
        { toolCalls: [{ name: "read_file", arguments: { path: "src/tax.js" } }] },
        { toolCalls: [{ name: "answer", arguments: { answer: "Sales tax is `salesTax` in src/tax.js:4-6, rounded down." } }] },
      ],
      files: shopProject,
    });
    await h.startBot();
    await h.comment({ body: "/coder ask how is sales tax computed?" });
    const reply = await h.waitForComment(/^> how is sales tax computed\?/);
    const web = h.git.cloneUrl(FULL_NAME).replace(/\.git$/, "");
    const link = h.forgeName === "github" ? `${web}/blob/${h.baseSha}/src/tax.js#L4-L6` : `${web}/src/commit/${h.baseSha}/src/tax.js#L4-L6`;
    expect(reply.body).toContain(`](${link})`);
    expect(h.contractProblems()).toEqual([]);
  });

  it("indexes the default branch when code is pushed to it", { timeout: 120_000 }, async () => {
    h = await start({ script: [], files: { "src/tax.js": shopProject["src/tax.js"]! } });
    await h.startBot();
    const pushed = await h.push({
      files: {
        "src/discount.js":
          "/** Takes a percentage off a price in cents. */\nexport function applyDiscount(cents, percent) {\n  return Math.round(cents * (1 - percent / 100));\n}\n",
      },
    });
    expect(pushed.status).toBe(200);
    await h.settled(1, 90_000);
    const index = h.bot!.services.codeIndex!.index;
    expect(index.ready(h.repoKey, "main")).toBe(true);
    const hits = await index.search(h.repoKey, "main", "take a percentage off a price", 1);
    expect(hits[0]?.chunk.path).toBe("src/discount.js");
    expect(h.contractProblems()).toEqual([]);
  });

  it("finishes a fix exactly once when the bot is killed in the middle and restarted", { timeout: 240_000 }, async () => {
    const slow = fixAddScript();
    slow.splice(2, 0, { delayMs: 60_000, turn: { toolCalls: [{ name: "list_files", arguments: {} }] } });
    const harness = await start({ script: slow, files: brokenAddProject, env: { LOG_LEVEL: "error" } });
    h = harness;
    await harness.spawnBot();
    await harness.comment({ body: "/coder fix" });
    await waitFor(() => harness.ollama.chatRequests().length >= 3, "the agent to be mid-run", 60_000);
    const progress = harness.botComments();
    expect(progress).toHaveLength(1);
    await harness.killChild();
    const ollama = await startScriptedOllama({ script: fixAddScript() });
    await harness.ollama.close();
    harness.ollama = ollama;
    harness.env.OLLAMA_HOST = ollama.url;
    await harness.spawnBot();
    const done = await harness.waitForComment(/Opened pull request/, 12, 90_000);
    expect(done.id).toBe(progress[0]!.id);
    expect(harness.botComments()).toHaveLength(1);
    expect(harness.pullRequests()).toHaveLength(1);
    expect(harness.reactions()).toHaveLength(1);
    expect(harness.git.acceptedUpdates(FULL_NAME).filter((u) => u.ref.startsWith("refs/heads/coder/"))).toHaveLength(1);
    const db = new Database(path.join(harness.dataDir, "coder-bot.db"), { readonly: true });
    try {
      const jobs = () => db.prepare("SELECT status, attempts FROM jobs").all() as Array<{ status: string }>;
      await waitFor(() => jobs().every((j) => j.status !== "running"), "the job to be recorded as done");
      expect(jobs()).toEqual([{ status: "succeeded", attempts: 2 }]);
    } finally {
      db.close();
    }
    expect(harness.contractProblems()).toEqual([]);
  });
});
