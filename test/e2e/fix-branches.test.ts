import { afterEach, describe, expect, it } from "vitest";
import { Harness, FULL_NAME, OWNER, REPO } from "../support/bot-harness.js";
import { brokenAddProject, fixAddScript } from "../support/fixtures.js";
import { pushFiles } from "../support/git-server.js";

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

describe("/coder fix and branches it does not own", () => {
  it("pushes to a new branch when its branch moved, and the server never sees a forced update", async () => {
    h = await Harness.start({ script: fixAddScript(), files: brokenAddProject });
    const taken = "coder/issue-12-add-returns-the-wrong-result";
    await pushFiles(h.git, FULL_NAME, { "NOTES.md": "someone else's work\n" }, { branch: taken, token: h.github.issueToken().token });
    const theirs = (await h.git.git(["--git-dir", h.git.repoPath(FULL_NAME), "rev-parse", taken])).trim();
    await h.startBot();
    await h.comment({ body: "/coder fix" });
    const done = await h.waitForComment(/Opened pull request/);
    expect(done.body).toContain(`\`${taken}\` already had other commits, so I pushed to \`${taken}-2\``);
    expect(h.github.state.pulls.map((p) => p.headRef)).toEqual([`${taken}-2`]);
    expect((await h.git.git(["--git-dir", h.git.repoPath(FULL_NAME), "rev-parse", taken])).trim()).toBe(theirs);
    expect(h.git.refUpdates(FULL_NAME).filter((u) => u.forced)).toEqual([]);
    expect(h.github.violations).toEqual([]);
  });

  it("adds a fast-forward commit on a same-repository pull request's head branch", async () => {
    h = await Harness.start({ script: fixAddScript(), files: brokenAddProject });
    const token = h.github.issueToken().token;
    const head = await pushFiles(h.git, FULL_NAME, { "docs/usage.md": "Use add(a, b).\n" }, { branch: "feature/docs", token });
    h.github.addPullRequest({
      owner: OWNER,
      repo: REPO,
      number: 40,
      headRef: "feature/docs",
      headSha: head,
      headRepoFullName: FULL_NAME,
      baseRef: "main",
      title: "Document add",
    });
    await h.startBot();
    await h.comment({ body: "/coder fix also make the test pass", issueNumber: 40, pullRequest: true, issueTitle: "Document add" });
    const done = await h.waitForComment(/on top of `feature\/docs` \(fast-forward\)/, 40);
    const gitDir = h.git.repoPath(FULL_NAME);
    const newHead = (await h.git.git(["--git-dir", gitDir, "rev-parse", "feature/docs"])).trim();
    expect((await h.git.git(["--git-dir", gitDir, "rev-parse", `${newHead}^`])).trim()).toBe(head);
    const updates = h.git.acceptedUpdates(FULL_NAME).filter((u) => u.ref === "refs/heads/feature/docs");
    expect(updates.at(-1)).toMatchObject({ oldSha: head, newSha: newHead, forced: false });
    expect(h.github.state.pulls.map((p) => p.number)).toEqual([40]);
    expect(done.body).toContain("✅ `npm test` passed");
    expect(h.github.violations).toEqual([]);
  });

  it("opens a pull request against the head branch when that branch moved during the run", async () => {
    const script = fixAddScript();
    h = await Harness.start({ script, files: brokenAddProject });
    const token = h.github.issueToken().token;
    const head = await pushFiles(h.git, FULL_NAME, { "docs/usage.md": "Use add(a, b).\n" }, { branch: "feature/docs", token });
    h.github.addPullRequest({
      owner: OWNER,
      repo: REPO,
      number: 41,
      headRef: "feature/docs",
      headSha: head,
      headRepoFullName: FULL_NAME,
      baseRef: "main",
      title: "Document add",
    });
    // The author pushes while the agent works: after the model's first reply.
    let moved = false;
    const interval = setInterval(() => {
      if (!moved && h.ollama.chatRequests().length >= 2) {
        moved = true;
        void pushFiles(h.git, FULL_NAME, { "docs/more.md": "More.\n" }, { branch: "feature/docs", token });
      }
    }, 10);
    try {
      await h.startBot();
      await h.comment({ body: "/coder fix", issueNumber: 41, pullRequest: true, issueTitle: "Document add" });
      const done = await h.waitForComment(/Opened pull request/, 41);
      expect(done.body).toContain("moved while I worked");
    } finally {
      clearInterval(interval);
    }
    const opened = h.github.state.pulls.find((p) => p.number !== 41)!;
    expect(opened.baseRef).toBe("feature/docs");
    expect(opened.headRef).toMatch(/^coder\/pr-41-/);
    expect(h.git.refUpdates(FULL_NAME).filter((u) => u.forced)).toEqual([]);
    expect(h.github.violations).toEqual([]);
  });
});
