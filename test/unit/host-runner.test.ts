import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HostRunner } from "../../src/workspace/host-runner.js";

/** Process ids whose full command line contains `marker`. */
function processesWith(marker: string): number[] {
  const result = spawnSync("pgrep", ["-f", marker], { encoding: "utf8" });
  if (result.error) throw result.error;
  return result.stdout.split("\n").filter(Boolean).map(Number);
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("HostRunner", () => {
  let root: string;
  let runner: HostRunner;

  beforeAll(() => {
    root = realpathSync(mkdtempSync(path.join(tmpdir(), "host-runner-")));
    mkdirSync(path.join(root, "sub"));
    runner = new HostRunner(root);
  });

  afterAll(async () => {
    await runner.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  afterEach(() => {
    delete process.env.SECRET_FOR_TEST;
  });

  it("runs an argv without a shell", async () => {
    const result = await runner.run(["printf", "%s|", "a b", "$HOME", "*"], { timeoutMs: 5_000 });
    expect(result).toMatchObject({ exitCode: 0, stdout: "a b|$HOME|*|", stderr: "", timedOut: false, truncatedBytes: 0 });
  });

  it("runs a shell line and reports its exit code and streams", async () => {
    const result = await runner.run({ shell: "echo $((6 * 7)) | tr 4 X; echo oops >&2; exit 5" }, { timeoutMs: 5_000 });
    expect(result).toMatchObject({ exitCode: 5, stdout: "X2\n", stderr: "oops\n", timedOut: false });
  });

  it("reports a program that cannot be started", async () => {
    const result = await runner.run(["definitely-not-a-program-xyz"], { timeoutMs: 5_000 });
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toContain("cannot start definitely-not-a-program-xyz");
  });

  it("runs in the root, or in a directory inside it", async () => {
    expect((await runner.run(["pwd"], { timeoutMs: 5_000 })).stdout).toBe(`${root}\n`);
    expect((await runner.run(["pwd"], { timeoutMs: 5_000, cwd: "sub" })).stdout).toBe(`${path.join(root, "sub")}\n`);
  });

  it.each(["..", "../elsewhere", "/tmp", "sub/../.."])("refuses the working directory %j outside the root", async (cwd) => {
    const result = await runner.run({ shell: "touch ran-outside" }, { timeoutMs: 5_000, cwd });
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toBe(`working directory ${cwd} is outside the workspace`);
  });

  it("builds the environment from scratch, without the parent's variables", async () => {
    process.env.SECRET_FOR_TEST = "leaked-value-9f8e7d";
    const result = await runner.run(["env"], { timeoutMs: 5_000 });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain("SECRET_FOR_TEST");
    expect(result.stdout).not.toContain("leaked-value-9f8e7d");
    const names = result.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split("=")[0]);
    expect(names).toEqual(expect.arrayContaining(["HOME", "CI", "GIT_TERMINAL_PROMPT", "NO_COLOR", "PATH"]));
    expect(
      names.every((n) =>
        ["HOME", "CI", "GIT_TERMINAL_PROMPT", "NO_COLOR", "PATH", "LANG", "LC_ALL", "TZ", "TERM", "PWD", "SHLVL", "_", "OLDPWD"].includes(
          n!,
        ),
      ),
    ).toBe(true);
    expect(result.stdout).toContain("CI=true\n");
  });

  it("kills the whole process tree on timeout", async () => {
    // The fraction makes the sleep's command line unique to this run.
    const marker = `sleep 30.${randomInt(100_000, 999_999)}`;
    expect(processesWith(marker)).toEqual([]);
    const started = Date.now();
    const running = runner.run({ shell: `${marker} & ${marker} & wait` }, { timeoutMs: 700 });
    expect(await eventually(() => processesWith(marker).length >= 2, 600)).toBe(true);
    const result = await running;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(await eventually(() => processesWith(marker).length === 0, 500)).toBe(true);
  });

  it("does not wait for a background child that keeps the output open past the timeout", async () => {
    const marker = `sleep 30.${randomInt(100_000, 999_999)}`;
    const started = Date.now();
    const result = await runner.run({ shell: `(${marker}) & echo started` }, { timeoutMs: 500 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.stdout).toBe("started\n");
    expect(result.timedOut).toBe(true);
    expect(await eventually(() => processesWith(marker).length === 0, 500)).toBe(true);
  });

  it("keeps the head and tail of long output and says how much was cut", async () => {
    const result = await runner.run(
      { shell: "printf START; head -c 100000 /dev/zero | tr '\\0' x; printf END; echo tail-of-err >&2" },
      { timeoutMs: 5_000, maxOutputBytes: 1_000 },
    );
    expect(result.exitCode).toBe(0);
    const total = 5 + 100_000 + 3;
    expect(result.truncatedBytes).toBe(total - 1_000);
    expect(result.stdout.startsWith(`START${"x".repeat(495)}\n[… ${total - 1_000} bytes cut …]\n`)).toBe(true);
    expect(result.stdout.endsWith(`${"x".repeat(497)}END`)).toBe(true);
    expect(result.stderr).toBe("tail-of-err\n");
  });

  it("stops the command when the signal aborts", async () => {
    const marker = `sleep 30.${randomInt(100_000, 999_999)}`;
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 150);
    const result = await runner.run({ shell: `${marker}; echo never` }, { timeoutMs: 20_000, signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBeNull();
    expect(result.stdout).toBe("");
    expect(await eventually(() => processesWith(marker).length === 0, 500)).toBe(true);
  });
});
