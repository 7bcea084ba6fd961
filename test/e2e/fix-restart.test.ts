import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import path from "node:path";
import { Harness, FULL_NAME } from "../support/bot-harness.js";
import { brokenAddProject, fixAddScript } from "../support/fixtures.js";
import { waitFor } from "../support/net.js";
import { startScriptedOllama } from "../support/scripted-ollama.js";

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

describe("a bot process killed in the middle of a job", () => {
  it("finishes the job exactly once after a restart", async () => {
    const slow = fixAddScript();
    slow.splice(2, 0, { delayMs: 60_000, turn: { toolCalls: [{ name: "list_files", arguments: {} }] } });
    h = await Harness.start({ script: slow, files: brokenAddProject, env: { LOG_LEVEL: "error" } });
    await h.spawnBot();
    await h.comment({ body: "/coder fix" });
    await waitFor(() => h.ollama.chatRequests().length >= 3, "the agent to be mid-run", 60_000);
    const progress = h.botComments();
    expect(progress).toHaveLength(1);
    await h.killChild();

    // A fresh model (the old one is stuck in its delay) and the same data directory.
    const ollama = await startScriptedOllama({ script: fixAddScript() });
    await h.ollama.close();
    h.ollama = ollama;
    h.env.OLLAMA_HOST = ollama.url;
    await h.spawnBot();

    const done = await h.waitForComment(/Opened pull request/, 12, 90_000);
    expect(done.id).toBe(progress[0]!.id);
    expect(h.botComments()).toHaveLength(1);
    expect(h.github.state.pulls).toHaveLength(1);
    expect(h.github.state.reactions).toHaveLength(1);
    const branchUpdates = h.git.acceptedUpdates(FULL_NAME).filter((u) => u.ref.startsWith("refs/heads/coder/"));
    expect(branchUpdates).toHaveLength(1);
    await waitFor(() => h.worktreeDirs().length === 0, "no worktree left behind");

    const db = new Database(path.join(h.dataDir, "coder-bot.db"), { readonly: true });
    try {
      const jobs = () => db.prepare("SELECT status, attempts FROM jobs").all() as Array<{ status: string }>;
      await waitFor(() => jobs().every((j) => j.status !== "running"), "the job to be recorded as done");
      expect(jobs()).toEqual([{ status: "succeeded", attempts: 2 }]);
    } finally {
      db.close();
    }
    expect(h.github.violations).toEqual([]);
  }, 240_000);
});
