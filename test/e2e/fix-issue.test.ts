import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Harness, FULL_NAME } from "../support/bot-harness.js";
import { brokenAddProject, fixAddScript } from "../support/fixtures.js";
import { waitFor } from "../support/net.js";

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

describe("/coder fix on an issue", () => {
  it("reads, edits, tests and opens a pull request whose commit makes the tests pass", async () => {
    h = await Harness.start({ script: fixAddScript(), files: brokenAddProject });
    await h.startBot();
    const before = h.github.requests.length;
    const delivery = await h.comment({ body: "/coder fix" });
    expect(delivery.status).toBe(200);
    // No API call happens before the acknowledgement.
    expect(h.github.requests.slice(before).filter((r) => r.timestamp < delivery.receivedAt - 5)).toEqual([]);

    const done = await h.waitForComment(/Opened pull request #\d+/);
    const pr = h.github.state.pulls.find((p) => p.headRef.startsWith("coder/issue-12-"));
    expect(pr).toBeDefined();
    expect(pr!.body).toContain("Fixes #12");
    expect(pr!.baseRef).toBe("main");
    expect(pr!.draft).toBe(false);

    // One commit on the bot's branch, on top of main, that makes the tests pass.
    const gitDir = h.git.repoPath(FULL_NAME);
    const log = await h.git.git(["--git-dir", gitDir, "log", "--format=%H %an %s", `main..${pr!.headRef}`]);
    const commits = log.split("\n").filter(Boolean);
    expect(commits).toHaveLength(1);
    expect(commits[0]).toMatch(/coder-bot\[bot\] Fix #12: add\(\) returns the wrong result/);
    expect(await h.git.git(["--git-dir", gitDir, "show", `${pr!.headRef}:src/add.js`])).toContain("return a + b;");
    const accepted = h.git.acceptedUpdates(FULL_NAME);
    expect(accepted.filter((u) => u.ref === `refs/heads/${pr!.headRef}`)).toHaveLength(1);
    expect(accepted.every((u) => !u.forced)).toBe(true);

    // The progress comment: one comment, updated in place, ending with the outcome.
    expect(h.botComments()).toHaveLength(1);
    expect(done.history.length).toBeGreaterThan(2);
    expect(done.body).toMatch(/✅ `npm test` passed/);
    expect(done.body).toContain("`src/add.js` (+1 −1)");
    expect(done.body).toMatch(/\| Steps \| 7 of 40/);
    expect(done.body).toMatch(/\| Tokens \| [\d,]+ \|/);
    expect(h.github.state.reactions.map((r) => r.content)).toEqual(["eyes"]);

    // The scripted model was driven through the real Ollama client with an explicit context size.
    const chats = h.ollama.chatRequests();
    expect(chats).toHaveLength(7);
    expect(chats[0]!.options?.num_ctx).toBe(32768);
    expect(chats[0]!.tools?.length).toBe(10);
    // Tool results reached the model: grep found the function, the tests ran and passed after the edit.
    const toolOutputs = chats
      .at(-1)!
      .messages.filter((m) => m.role === "tool")
      .map((m) => `${m.tool_name}: ${m.content}`);
    expect(toolOutputs.find((t) => t.startsWith("grep:"))).toContain("src/add.js:2:export function add");
    expect(toolOutputs.find((t) => t.startsWith("run_command:"))).toMatch(/\[exit code 0\][\s\S]*pass 1/);
    expect(toolOutputs.find((t) => t.startsWith("git_diff:"))).toContain("+  return a + b;");

    // Every GitHub request matched GitHub's OpenAPI description; git always authenticated by header.
    expect(h.github.violations).toEqual([]);
    expect(h.github.unimplemented).toEqual([]);
    expect(h.git.requests.every((r) => r.authorized)).toBe(true);

    // The token is nowhere on disk in the mirror's config, in any comment or in the PR.
    const tokens = h.github.state.tokens.map((t) => t.token);
    const mirrorConfig = readFileSync(path.join(h.dataDir, "mirrors", "acme/widgets.git", "config"), "utf8");
    for (const token of tokens) {
      expect(mirrorConfig).not.toContain(token);
      expect(done.history.join("\n")).not.toContain(token);
      expect(pr!.body).not.toContain(token);
    }
    await waitFor(() => h.worktreeDirs().length === 0, "the worktree to be removed");
  });
});
