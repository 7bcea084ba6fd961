import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PathGuard } from "../../src/safety/path-guard.js";
import { callTool } from "../../src/tools/call-tool.js";
import { fixTools } from "../../src/tools/fix-tools.js";
import type { ToolContext } from "../../src/tools/tool.js";
import { DockerRunnerFactory, type DockerRunner } from "../../src/workspace/docker/docker-runner.js";
import { WORKSPACE_LABEL } from "../../src/workspace/docker/sandbox-options.js";

const runtimes = ["runc", "runsc"] as const;

describe.each(runtimes)("a workspace container under %s", (runtime) => {
  const owner = `test-${runtime}-${process.pid}`;
  const factory = new DockerRunnerFactory({ owner, defaults: { runtime, memoryMb: 256, pids: 128, cpus: 1 } });
  let root: string;
  let runner: DockerRunner;
  let context: ToolContext;
  let listener: Server;
  let port: number;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), `sandbox-${runtime}-`));
    execFileSync("git", ["init", "-q", "-b", "main", root]);
    writeFileSync(path.join(root, "README.md"), "hello\n");
    symlinkSync("/etc/passwd", path.join(root, "leak"));
    process.env.CODER_TEST_HOST_SECRET = "host-secret-value-1234";
    runner = (await factory.create(root, { name: "hostile" })) as DockerRunner;
    context = {
      root,
      guard: new PathGuard(root),
      runner,
      signal: new AbortController().signal,
      commandTimeoutMs: 20_000,
      policy: { allowShell: true, extraPrograms: [] },
    };
    listener = createServer((socket) => socket.end("reached\n"));
    await new Promise<void>((resolve) => listener.listen(0, "0.0.0.0", resolve));
    port = (listener.address() as { port: number }).port;
  }, 120_000);

  afterAll(async () => {
    await runner?.dispose();
    listener?.close();
    delete process.env.CODER_TEST_HOST_SECRET;
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const shell = (line: string, timeoutMs = 20_000) => runner.run({ shell: line }, { timeoutMs, maxOutputBytes: 16 * 1024 });

  it("runs commands as a non-root user with no capabilities", async () => {
    const result = await shell("id -u; grep CapEff /proc/self/status");
    expect(result.stdout).toMatch(/^1000\n/);
    expect(result.stdout).toMatch(/CapEff:\s+0+\n/);
  });

  it("stops a fork bomb at the process limit and goes on", async () => {
    const bomb = await shell("bomb() { bomb | bomb & }; bomb; sleep 3; ps -e --no-headers | wc -l", 15_000);
    const count = Number(bomb.stdout.trim().split("\n").at(-1));
    expect(Number.isNaN(count) || count <= 128).toBe(true);
    // Under gVisor the bomb can take the sandbox down as the next command starts: that command is
    // told so, and the one after it runs in a replacement container.
    let after = await shell("echo alive", 30_000);
    if (after.stdout === "") {
      expect(after.stderr).toContain("the workspace stopped during this command");
      after = await shell("echo alive", 30_000);
    }
    expect(after.stdout).toBe("alive\n");
  }, 60_000);

  it("kills a memory hog and reports it", async () => {
    const result = await callTool(
      fixTools,
      "run_command",
      { command: 'python3 -c "a=[]\nwhile True: a.append(bytearray(16*1024*1024))"' },
      context,
    );
    expect(result.isError).toBe(false);
    const text = result.isError ? "" : result.output;
    expect(text).not.toContain("[exit code 0]");
    expect(text).toMatch(/exit code 137: killed|MemoryError|exit code 1\]/);
    expect((await shell("echo alive")).stdout).toBe("alive\n");
  }, 60_000);

  it("kills a command that sleeps forever at its timeout, and the job goes on", async () => {
    const started = Date.now();
    const result = await callTool(fixTools, "run_command", { command: "sleep 1000" }, { ...context, commandTimeoutMs: 2_000 });
    expect(result.isError ? "" : result.output).toContain("timed out after 2 s and was killed");
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await shell("ps -eo user=,args= | grep -c '[s]leep 1000' || true")).stdout.trim()).toBe("0");
    expect((await shell("echo alive")).stdout).toBe("alive\n");
  }, 60_000);

  it("caps 100 MB of output without the bot's memory growing", async () => {
    global.gc?.();
    const idle = process.memoryUsage().rss;
    const result = await runner.run(
      { shell: "head -c 100000000 /dev/zero | tr '\\0' 'a'" },
      { timeoutMs: 60_000, maxOutputBytes: 64 * 1024 },
    );
    expect(result.exitCode).toBe(0);
    expect(result.truncatedBytes).toBeGreaterThan(99_000_000);
    expect(result.stdout.length).toBeLessThan(70 * 1024);
    expect(result.stdout).toContain("bytes cut");
    expect(process.memoryUsage().rss).toBeLessThan(2 * idle);
  }, 90_000);

  it("has no network: neither a port on the host nor an outside address is reachable", async () => {
    const probe = (host: string) =>
      shell(`python3 -c "import socket; socket.create_connection(('${host}', ${port}), timeout=3); print('connected')"`, 15_000);
    for (const host of ["172.17.0.1", "host.docker.internal", "192.0.2.1"]) {
      const result = await probe(host);
      expect(result.stdout, host).not.toContain("connected");
      expect(result.exitCode, host).not.toBe(0);
    }
    expect((await shell("cat /sys/class/net/*/operstate 2>/dev/null; ls /sys/class/net")).stdout).not.toMatch(/eth0/);
  }, 60_000);

  it("cannot write outside /workspace, and /tmp is its own", async () => {
    const hostMarker = `/tmp/coder-bot-escape-${runtime}-${process.pid}`;
    const result = await shell(
      `touch /etc/x; touch /x; touch /usr/bin/x; touch ${hostMarker} && echo tmp-ok; touch /workspace/inside && echo ws-ok`,
    );
    expect(result.stdout).toBe("tmp-ok\nws-ok\n");
    expect(existsSync(hostMarker)).toBe(false);
    expect(existsSync(path.join(root, "inside"))).toBe(true);
  });

  it("cannot see the host's files, the Docker socket or the bot's environment", async () => {
    const secretFile = path.join(os.tmpdir(), `coder-bot-host-file-${process.pid}`);
    writeFileSync(secretFile, "host only\n");
    const result = await shell(`cat ${secretFile}; ls -l /var/run/docker.sock /run/docker.sock; env; cat /proc/1/environ | tr '\\0' '\\n'`);
    rmSync(secretFile);
    const text = result.stdout + result.stderr;
    expect(text).not.toContain("host only");
    expect(text).not.toContain("host-secret-value-1234");
    expect(text).not.toMatch(/WEBHOOK_SECRET|PRIVATE_KEY|APP_ID/);
    expect(result.stdout).not.toContain("docker.sock");
  });

  it("does not let read_file follow a symlink to /etc/passwd, nor hand that file to the workspace user", async () => {
    expect(statSync("/etc/passwd").uid).toBe(0);
    const result = await callTool(fixTools, "read_file", { path: "leak" }, context);
    expect(result).toMatchObject({ isError: true, reason: "outside-workspace" });
  });

  it("stops leftover processes before host-side file tools, so nothing can swap a path under them", async () => {
    // A background loop that could flip a directory into a symbolic link between the bot's path
    // check and its write. File tools must find no process of the workspace's user running.
    await callTool(
      fixTools,
      "run_command",
      { command: "while true; do mv -T rd d 2>/dev/null; mv -T d rd 2>/dev/null; done > /dev/null 2>&1 &" },
      context,
    );
    const leftovers = () =>
      execFileSync("docker", ["exec", runner.id, "ps", "-eo", "uid=,args="], { encoding: "utf8" })
        .split("\n")
        .filter((line) => line.trim().startsWith("1000 "))
        .join("\n");
    expect(leftovers()).not.toBe("");
    await callTool(fixTools, "write_file", { path: "notes/x.txt", content: "written\n" }, context);
    expect(leftovers()).toBe("");
  }, 60_000);

  it("refuses git push --force from the model, and any push", async () => {
    const strict = { ...context, policy: { allowShell: false, extraPrograms: [] } };
    for (const command of ["git push --force origin main", "git push origin HEAD:main"]) {
      const result = await callTool(fixTools, "run_command", { command }, strict);
      expect(result).toMatchObject({ isError: true, reason: "command-not-allowed" });
    }
  });

  it("removes its container on dispose, and leftovers at start-up", async () => {
    const extra = (await factory.create(root, { name: "orphan" })) as DockerRunner;
    const list = () =>
      factory.docker.listContainers({ all: true, filters: { label: [`${WORKSPACE_LABEL}=1`, `dev.coder-bot.owner=${owner}`] } });
    expect((await list()).map((c) => c.Id)).toContain(extra.id);
    expect(await factory.removeOrphans()).toBeGreaterThanOrEqual(1);
    expect(await list()).toEqual([]);
    runner = (await factory.create(root, { name: "hostile" })) as DockerRunner;
    context = { ...context, runner };
  }, 60_000);
});

describe("workspace creation errors", () => {
  it("says which image is missing and how to get it, without waiting", async () => {
    const factory = new DockerRunnerFactory({ owner: `test-missing-${process.pid}`, defaults: { image: "example.invalid/nope:1" } });
    const root = mkdtempSync(path.join(os.tmpdir(), "sandbox-missing-"));
    await expect(factory.create(root)).rejects.toMatchObject({
      reason: "image-missing",
      message: expect.stringContaining("example.invalid/nope:1"),
    });
  });
});
