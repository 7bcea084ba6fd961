import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runAgent } from "../../src/agent/agent-loop.js";
import { StuckDetector } from "../../src/agent/stuck-detector.js";
import { ScriptedProvider } from "../../src/llm/scripted-provider.js";
import { PathGuard } from "../../src/safety/path-guard.js";
import { fixTools } from "../../src/tools/fix-tools.js";
import { HostRunner } from "../../src/workspace/host-runner.js";

const call = (name: string, args: unknown) => ({ id: "x", name, arguments: args });

describe("StuckDetector", () => {
  it("nudges on the same call three times in a row, then stops if it goes on", () => {
    const d = new StuckDetector();
    const read = [call("read_file", { path: "a.ts" })];
    expect(d.observe(read, false).kind).toBe("ok");
    expect(d.observe(read, false).kind).toBe("ok");
    const nudge = d.observe(read, false);
    expect(nudge).toMatchObject({ kind: "nudge" });
    expect(nudge.kind === "ok" ? "" : nudge.why).toBe('the same call (read_file {"path":"a.ts"}) 3 times in a row');
    expect(d.observe(read, false).kind).toBe("ok");
    expect(d.observe(read, false).kind).toBe("ok");
    expect(d.observe(read, false)).toMatchObject({ kind: "stop" });
  });

  it("sees argument objects with keys in another order as the same call", () => {
    const d = new StuckDetector({ repeatLimit: 2 });
    d.observe([call("grep", { pattern: "x", path: "." })], false);
    expect(d.observe([call("grep", { path: ".", pattern: "x" })], false).kind).toBe("nudge");
  });

  it("counts steps without a change, and a change resets it", () => {
    const d = new StuckDetector({ idleLimit: 3 });
    d.observe([call("read_file", { path: "a" })], false);
    d.observe([call("read_file", { path: "b" })], false);
    d.observe([call("edit_file", { path: "b" })], true);
    d.observe([call("read_file", { path: "c" })], false);
    d.observe([call("read_file", { path: "d" })], false);
    expect(d.observe([call("read_file", { path: "e" })], false)).toMatchObject({ kind: "nudge", why: "3 steps without changing any file" });
  });
});

describe("the loop with a stuck model", () => {
  it("nudges once, then stops with the reason", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "stuck-"));
    execFileSync("git", ["init", "-q", root]);
    writeFileSync(path.join(root, "a.txt"), "a\n");
    const provider = new ScriptedProvider(
      Array.from({ length: 10 }, () => ({ toolCalls: [{ name: "read_file", arguments: { path: "a.txt" } }] })),
    );
    const result = await runAgent({
      provider,
      tools: fixTools,
      system: "s",
      task: "t",
      budgets: { steps: 20, wallMs: 60_000, tokens: 1_000_000 },
      toolContext: { root, guard: new PathGuard(root), runner: new HostRunner(root), commandTimeoutMs: 5_000 },
      signal: new AbortController().signal,
    });
    expect(result.stopReason).toBe("stuck");
    expect(result.stuck).toContain("read_file");
    expect(result.steps).toBe(6);
    const nudges = provider.requests.at(-1)!.messages.filter((m) => m.role === "user" && m.content.startsWith("You seem to be stuck"));
    expect(nudges).toHaveLength(1);
  });
});
