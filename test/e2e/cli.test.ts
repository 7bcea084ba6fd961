import { execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { brokenAddProject, fixAddScript } from "../support/fixtures.js";
import { startScriptedOllama, type ScriptedOllama } from "../support/scripted-ollama.js";

const exec = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, "../..");
let ollama: ScriptedOllama | undefined;
afterEach(async () => {
  await ollama?.close();
});

async function makeRepo(files: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "coder-bot-local-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const git = (...args: string[]) => exec("git", args, { cwd: dir });
  await git("init", "-q", "-b", "main");
  await git("add", "-A");
  await git("-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "init");
  return dir;
}

async function cli(args: string[], env: Record<string, string>, cwd: string) {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), path.join(repoRoot, "src/cli/main.ts"), ...args],
      {
        cwd,
        env: { PATH: process.env.PATH, HOME: cwd, ...env },
        timeout: 120_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("coder-bot CLI", () => {
  it("index, search and review work on a real checkout", { timeout: 180_000 }, async () => {
    const repo = await makeRepo({
      "src/pricing.js":
        "export function applyDiscount(price, percent) {\n  return price - (price * percent) / 100;\n}\n\nexport function addTax(price, rate) {\n  return price * (1 + rate);\n}\n",
      "src/cart.js": "export function cartTotal(items) {\n  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n}\n",
    });
    const data = mkdtempSync(path.join(os.tmpdir(), "coder-bot-data-"));
    const indexed = await cli(["index", "--repo", repo], { CODER_DATA_DIR: data }, repo);
    expect(indexed.code).toBe(0);
    expect(indexed.stderr).toMatch(/2 files: 2 chunked, 0 unchanged/);
    const found = await cli(
      ["search", "total price of the items in the cart", "--repo", repo, "--k", "2", "--json"],
      { CODER_DATA_DIR: data },
      repo,
    );
    const hits = JSON.parse(found.stdout) as Array<{ path: string; startLine: number; endLine: number; score: number }>;
    expect(hits[0]).toMatchObject({ path: "src/cart.js", startLine: 1, endLine: 3 });
    expect(hits.length).toBeLessThanOrEqual(2);
    const bad = await cli(["search", "x", "--repo", repo, "--k", "0"], { CODER_DATA_DIR: data }, repo);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--k must be a whole number of at least 1");

    const git = (...args: string[]) => exec("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args], { cwd: repo });
    await git("checkout", "-q", "-b", "feature");
    writeFileSync(
      path.join(repo, "src/pricing.js"),
      "export function applyDiscount(price, percent) {\n  return price - price * percent;\n}\n\nexport function addTax(price, rate) {\n  return price * (1 + rate);\n}\n",
    );
    await git("commit", "-qam", "Simplify the discount");
    ollama = await startScriptedOllama({
      script: [
        {
          content: JSON.stringify({
            summary: "Simplifies applyDiscount.",
            findings: [
              {
                path: "src/pricing.js",
                line: 2,
                severity: "major",
                category: "bug",
                title: "Percent is no longer divided by 100",
                body: "A 10% discount now takes ten times the price.",
                replacement: "  return price - (price * percent) / 100;",
              },
              {
                path: "src/cart.js",
                line: 2,
                severity: "minor",
                category: "bug",
                title: "Not in this change",
                body: "Quantities are not checked.",
              },
            ],
          }),
        },
      ],
    });
    const reviewed = await cli(
      ["review", "--repo", repo, "--base", "main", "--head", "feature"],
      { CODER_DATA_DIR: data, OLLAMA_HOST: ollama.url, CODER_CONTEXT_SIZE: "8192" },
      repo,
    );
    expect(reviewed.stderr).toBe("");
    expect(reviewed.stdout).toContain("── src/pricing.js:2\n⚠️ **Percent is no longer divided by 100** (major, bug)");
    expect(reviewed.stdout).toContain("```suggestion\n  return price - (price * percent) / 100;\n```");
    expect(reviewed.stdout).toMatch(/Not in this change\*\* \(`src\/cart.js:2`, on a file the diff does not change\)/);
    expect(reviewed.stdout).toContain("**Findings:** ⚠️ 1 major, 💡 1 minor.");
    const prompt = JSON.stringify(ollama.chatRequests()[0]?.messages);
    expect(prompt).toContain("### src/pricing.js");
    expect(prompt).not.toContain("### src/cart.js");
  });

  it("fix --dry-run prints the diff and leaves the repository untouched", async () => {
    ollama = await startScriptedOllama({ script: fixAddScript() });
    const repo = await makeRepo(brokenAddProject);
    const data = mkdtempSync(path.join(os.tmpdir(), "coder-bot-data-"));
    const result = await cli(
      ["fix", "--repo", repo, "--runner", "host", "--dry-run", "add() subtracts"],
      { OLLAMA_HOST: ollama.url, CODER_DATA_DIR: data },
      repo,
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("+  return a + b;");
    expect(result.stdout).toContain("Tests (npm test): passed");
    // The run was recorded and exports as JSON Lines: one run record, then one record per step.
    const runId = /coder-bot trajectory (\d+)/.exec(result.stdout)?.[1];
    expect(runId).toBeDefined();
    const exported = await cli(["trajectory", runId!], { CODER_DATA_DIR: data }, repo);
    const records = exported.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; stopReason?: string; step?: number; toolResults?: unknown });
    expect(records[0]).toMatchObject({ type: "run", stopReason: "finished", steps: 7 });
    expect(records.slice(1).map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(JSON.stringify(records[4]!.toolResults)).toContain("return a + b;");
    const unknown = await cli(["trajectory", "999"], { CODER_DATA_DIR: data }, repo);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("No run 999");
    const status = await exec("git", ["status", "--porcelain"], { cwd: repo });
    expect(status.stdout).toBe("");
    const branches = await exec("git", ["branch", "--format=%(refname:short)"], { cwd: repo });
    expect(branches.stdout.trim()).toBe("main");
  });

  it("fix commits to a new local coder/ branch, and a second run never moves it", async () => {
    const repo = await makeRepo(brokenAddProject);
    const data = mkdtempSync(path.join(os.tmpdir(), "coder-bot-data-"));
    for (const expected of ["coder/task-add-subtracts", "coder/task-add-subtracts-2"]) {
      ollama = await startScriptedOllama({ script: fixAddScript() });
      const result = await cli(
        ["fix", "--repo", repo, "--runner", "host", "add() subtracts"],
        { OLLAMA_HOST: ollama.url, CODER_DATA_DIR: data },
        repo,
      );
      await ollama.close();
      expect(result.stdout).toContain(`to the local branch ${expected}.`);
      const file = await exec("git", ["show", `${expected}:src/add.js`], { cwd: repo });
      expect(file.stdout).toContain("return a + b;");
    }
    const head = await exec("git", ["rev-parse", "--abbrev-ref", "HEAD"], { cwd: repo });
    expect(head.stdout.trim()).toBe("main");
  });

  it("fix works in a Docker workspace unless told to use the host", async () => {
    const script = fixAddScript();
    script.splice(0, 0, { toolCalls: [{ name: "run_command", arguments: { command: "id -un" } }] });
    ollama = await startScriptedOllama({ script });
    const repo = await makeRepo(brokenAddProject);
    const data = mkdtempSync(path.join(os.tmpdir(), "coder-bot-data-"));
    const result = await cli(
      ["fix", "--repo", repo, "--dry-run", "add() subtracts"],
      { OLLAMA_HOST: ollama.url, CODER_DATA_DIR: data },
      repo,
    );
    expect(result.stdout).toContain("Tests (npm test): passed");
    expect(result.stdout).toContain("+  return a + b;");
    // The workspace image's own user: the commands ran in the container, not on this machine.
    const outputs = ollama
      .chatRequests()
      .at(-1)!
      .messages.filter((m) => m.role === "tool")
      .map((m) => m.content ?? "");
    expect(outputs[0]).toContain("stdout:\ncoder");
  }, 120_000);

  it("doctor says what is missing and the command that fixes it", async () => {
    ollama = await startScriptedOllama({ script: [], models: ["llama3:8b"] });
    const dir = mkdtempSync(path.join(os.tmpdir(), "coder-bot-doctor-"));
    const result = await cli(
      ["doctor"],
      { OLLAMA_HOST: ollama.url, CODER_DATA_DIR: dir, CODER_MODEL: "qwen2.5-coder:7b", CODER_RUNNER: "host" },
      dir,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✘ Model: ollama:qwen2.5-coder:7b: .*qwen2.5-coder:7b/);
    expect(result.stdout).toContain("ollama pull qwen2.5-coder:7b");
    expect(result.stdout).toMatch(/✘ GitHub App/);
    expect(result.stdout).toMatch(/✔ Data directory/);
  });

  it("doctor reports Docker, gVisor and the workspace image", async () => {
    ollama = await startScriptedOllama({ script: [] });
    const dir = mkdtempSync(path.join(os.tmpdir(), "coder-bot-doctor-"));
    const result = await cli(["doctor"], { OLLAMA_HOST: ollama.url, CODER_DATA_DIR: dir, CODER_SANDBOX_RUNTIME: "runsc" }, dir);
    expect(result.stdout).toMatch(/✔ Docker: engine [\d.]+.*runsc/);
    expect(result.stdout).toMatch(/✔ gVisor: available \(workspaces use runsc\)/);
    expect(result.stdout).toMatch(/✔ Workspace image: coder-bot\/workspace:latest is built/);
    const missing = await cli(["doctor"], { OLLAMA_HOST: ollama.url, CODER_DATA_DIR: dir, CODER_WORKSPACE_IMAGE: "coder-bot/nope:1" }, dir);
    expect(missing.stdout).toContain("fix: scripts/build-images.sh");
  });

  it("reports every environment problem at once", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "coder-bot-env-"));
    const result = await cli(["doctor"], { APP_ID: "abc", OLLAMA_HOST: "not a url", CODER_RUNNER: "vm" }, dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("3 problem(s)");
    expect(result.stderr).toContain("APP_ID");
    expect(result.stderr).toContain("OLLAMA_HOST");
    expect(result.stderr).toContain("CODER_RUNNER");
  });
});
