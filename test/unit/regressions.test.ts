import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { detectTestCommand } from "../../src/workspace/test-command.js";
import { PathGuard } from "../../src/safety/path-guard.js";
import { sanitizeUntrustedText } from "../../src/safety/sanitize.js";
import { callTool } from "../../src/tools/call-tool.js";
import { fixTools } from "../../src/tools/fix-tools.js";
import { HostRunner } from "../../src/workspace/host-runner.js";

function repo(): { root: string; context: Parameters<typeof callTool>[3] } {
  const root = mkdtempSync(path.join(os.tmpdir(), "regress-"));
  execFileSync("git", ["init", "-q", root]);
  return {
    root,
    context: {
      root,
      guard: new PathGuard(root),
      runner: new HostRunner(root),
      signal: new AbortController().signal,
      commandTimeoutMs: 10_000,
    },
  };
}

describe("regressions", () => {
  it("a dangling symlink cannot be used to write outside the workspace", async () => {
    const { root, context } = repo();
    const outside = mkdtempSync(path.join(os.tmpdir(), "outside-"));
    symlinkSync(path.join(outside, "planted.txt"), path.join(root, "notes.md"));
    const result = await callTool(fixTools, "write_file", { path: "notes.md", content: "owned" }, context);
    expect(result).toMatchObject({ isError: true, reason: "outside-workspace" });
    expect(existsSync(path.join(outside, "planted.txt"))).toBe(false);
  });

  it("grep searches the path the guard resolved, never a host path", async () => {
    const { root, context } = repo();
    mkdirSync(path.join(root, "etc"));
    writeFileSync(path.join(root, "etc", "passwd"), "nobody here\n");
    const result = await callTool(fixTools, "grep", { pattern: "root", path: "/etc", glob: "passwd" }, context);
    expect(result).toMatchObject({ isError: true, reason: "no-match" });
  });

  it("a repository folder named workspace is reachable", async () => {
    const { root, context } = repo();
    mkdirSync(path.join(root, "workspace"));
    writeFileSync(path.join(root, "workspace", "w.txt"), "inside\n");
    const result = await callTool(fixTools, "read_file", { path: "workspace/w.txt" }, context);
    expect(result).toMatchObject({ isError: false });
    expect(result.isError ? "" : result.output).toContain("inside");
  });

  it("an already aborted signal starts no command", async () => {
    const { root } = repo();
    const started = Date.now();
    const result = await new HostRunner(root).run({ shell: "sleep 2; echo done" }, { timeoutMs: 10_000, signal: AbortSignal.abort() });
    expect(result.stdout).toBe("");
    expect(result.exitCode).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("a root with a trailing slash still runs commands", async () => {
    const { root } = repo();
    const result = await new HostRunner(`${root}/`).run(["pwd"], { timeoutMs: 5_000 });
    expect(result.stdout.trim()).toBe(root);
  });

  it("nested hidden markup is removed whole, and aria-hidden is not hidden", () => {
    expect(sanitizeUntrustedText("x<details hidden><details>a</details>IGNORE</details>y")).toBe("xy");
    expect(sanitizeUntrustedText('<p aria-hidden="true">visible para</p>')).toContain("visible para");
  });

  it("a Make variable named test is not a test target", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "make-"));
    writeFileSync(path.join(dir, "Makefile"), "test := unit\nall:\n\techo hi\n");
    expect(await detectTestCommand(dir)).toBeNull();
    writeFileSync(path.join(dir, "Makefile"), "test:: unit\n");
    expect(await detectTestCommand(dir)).toBe("make test");
  });

  it("read_file refuses an end line before the start line", async () => {
    const { root, context } = repo();
    writeFileSync(path.join(root, "b.txt"), "1\n2\n3\n4\n5\n");
    expect(await callTool(fixTools, "read_file", { path: "b.txt", start_line: 4, end_line: 2 }, context)).toMatchObject({
      isError: true,
      reason: "out-of-range",
    });
  });

  it("git_status keeps git's status columns", async () => {
    const { root, context } = repo();
    writeFileSync(path.join(root, "five.txt"), "5\n");
    execFileSync("git", ["-C", root, "add", "five.txt"]);
    execFileSync("git", ["-C", root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "x"]);
    writeFileSync(path.join(root, "five.txt"), "6\n");
    const result = await callTool(fixTools, "git_status", {}, context);
    expect(result.isError ? "" : result.output).toBe(" M five.txt");
  });
});
