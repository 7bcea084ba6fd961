import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { localFix } from "../../src/cli/local-fix.js";
import { withLocalModel } from "../../src/cli/local-model.js";
import { loadEnv, type Env } from "../../src/config/env.js";
import type { FixDeps } from "../../src/fix/fix-context.js";
import type { CodeIndex } from "../../src/index/code-index.js";
import type { LlmProvider } from "../../src/llm/types.js";
import type { Database } from "../../src/store/database.js";
import { fixSteps, type FixSteps } from "../../src/fix/fix-steps.js";
import { RunStore } from "../../src/store/run-store.js";
import { HostRunnerFactory } from "../../src/workspace/host-runner.js";
import { Worktrees } from "../../src/workspace/worktrees.js";
import { Harness } from "../support/bot-harness.js";
import { brokenAddProject, fixAddScript } from "../support/fixtures.js";
import { startScriptedOllama, type ScriptedOllama } from "../support/scripted-ollama.js";

let h: Harness | undefined;
let ollama: ScriptedOllama | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.stop();
  await ollama?.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** The real steps, each noting its name in `calls` before it runs. */
function recorded(calls: string[]): FixSteps {
  return {
    prepare: (ctx) => (calls.push("prepare"), fixSteps.prepare(ctx)),
    work: (ctx, ws) => (calls.push("work"), fixSteps.work(ctx, ws)),
    test: (ctx, ws, command) => (calls.push("test"), fixSteps.test(ctx, ws, command)),
    commit: (ctx, ws, worked, test) => (calls.push("commit"), fixSteps.commit(ctx, ws, worked, test)),
    publish: (ctx, committed) => (calls.push("publish"), fixSteps.publish(ctx, committed)),
    report: (ctx, outcome) => (calls.push("report"), fixSteps.report(ctx, outcome)),
  };
}

function localRepo(files: Record<string, string>): string {
  const dir = tempDir("coder-bot-local-");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args], { cwd: dir, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "init");
  return dir;
}

/** What `coder-bot fix` builds for its steps, with commands on this machine and every line it prints kept. */
function localDeps(local: { env: Env; db: Database; provider: LlmProvider; printed: string[]; codeIndex?: CodeIndex }): FixDeps {
  const { env, printed } = local;
  return {
    worktrees: new Worktrees(path.join(env.CODER_DATA_DIR, "worktrees")),
    runners: new HostRunnerFactory(),
    provider: local.provider,
    codeIndex: local.codeIndex ?? null,
    runs: new RunStore(local.db),
    author: { name: env.CODER_GIT_NAME, email: env.CODER_GIT_EMAIL },
    log: { info: () => undefined, warn: (o) => printed.push(JSON.stringify(o)), error: (o) => printed.push(JSON.stringify(o)) },
  };
}

describe("one fix, two front doors", () => {
  it("the webhook job and coder-bot fix run the same steps, and the local fix searches the code index", { timeout: 180_000 }, async () => {
    const webhook: string[] = [];
    h = await Harness.start({ script: fixAddScript(), files: brokenAddProject });
    await h.startBot({ fixSteps: recorded(webhook) });
    await h.comment({ body: "/coder fix" });
    await h.waitForComment(/Opened pull request/);
    await h.settled(1);
    const branch = h.github.state.pulls[0]!.headRef;
    const onForge = await h.fileAt(branch, "src/add.js");

    const local: string[] = [];
    const repo = localRepo(brokenAddProject);
    ollama = await startScriptedOllama({ script: fixAddScript() });
    const env = loadEnv({ OLLAMA_HOST: ollama.url, CODER_DATA_DIR: tempDir("coder-bot-data-"), CODER_RUNNER: "host" });
    const printed: string[] = [];
    await withLocalModel(env, repo, async ({ repo: checkout, db, code, provider }) => {
      // The checkout is indexed first, as `coder-bot index` would: the fix then has search_code.
      const index = code!.index;
      await index.index({
        repoKey: checkout.repoKey,
        tag: checkout.tag,
        root: checkout.root,
        commitSha: checkout.commitSha,
        include: [],
        exclude: [],
        signal: new AbortController().signal,
      });
      const result = await localFix({
        repo: checkout,
        task: "add() subtracts",
        dryRun: false,
        deps: localDeps({ env, db, provider, printed, codeIndex: index }),
        out: (text) => printed.push(text),
        steps: recorded(local),
      });
      expect(result.status).toBe("succeeded");
    });

    expect(webhook).toEqual(["prepare", "work", "test", "commit", "publish", "report"]);
    expect(local).toEqual(webhook);
    // The same model turns made the same change through both doors.
    const onBranch = execFileSync("git", ["show", "coder/task-add-subtracts:src/add.js"], { cwd: repo, encoding: "utf8" });
    expect(onBranch.trimEnd()).toBe(onForge.trimEnd());
    expect(printed.join("\n")).toContain("to the local branch coder/task-add-subtracts.");
    // Only the local run had an index: its model was offered search_code and shown the code map.
    const localTools = (ollama.chatRequests()[0]!.tools ?? []).map((t) => (t as { function: { name: string } }).function.name);
    const forgeTools = (h.ollama.chatRequests()[0]!.tools ?? []).map((t) => (t as { function: { name: string } }).function.name);
    expect(localTools).toContain("search_code");
    expect(forgeTools).not.toContain("search_code");
    expect(ollama.chatRequests()[0]!.messages.find((m) => m.role === "user")?.content).toContain("Repository map");
    expect(h.github.violations).toEqual([]);
    expect(await h.remoteBranches()).toContain(branch);
  });

  it(
    "pushes from the repository's own git directory, never through a .git the agent planted in its worktree",
    { timeout: 120_000 },
    async () => {
      const repo = localRepo(brokenAddProject);
      const marker = path.join(tempDir("coder-bot-marker-"), "pwned");
      // A repository of the agent's making, whose config would run a command on the host at the next
      // push from the worktree (and send the push elsewhere).
      const plant = [
        "import os, shutil",
        "os.remove('.git')",
        "for d in ['.git/objects', '.git/refs/heads']: os.makedirs(d)",
        "open('.git/HEAD', 'w').write('ref: refs/heads/main\\n')",
        "q = chr(34)",
        `open('.git/config', 'w').write('[core]\\n\\trepositoryformatversion = 0\\n[protocol ' + q + 'ext' + q + ']\\n\\tallow = always\\n[url ' + q + 'ext::sh -c touch% ${marker}' + q + ']\\n\\tpushInsteadOf = ${repo}\\n')`,
        "os.remove(__file__)",
      ].join("\n");
      const script = fixAddScript();
      script.splice(
        0,
        0,
        { toolCalls: [{ name: "write_file", arguments: { path: "plant.py", content: plant } }] },
        { toolCalls: [{ name: "run_command", arguments: { command: "python3 plant.py" } }] },
      );
      ollama = await startScriptedOllama({ script });
      const env = loadEnv({
        OLLAMA_HOST: ollama.url,
        CODER_DATA_DIR: tempDir("coder-bot-data-"),
        CODER_RUNNER: "host",
        CODER_INDEX: "off",
      });
      const printed: string[] = [];
      await withLocalModel(env, repo, async ({ repo: checkout, db, provider }) => {
        const result = await localFix({
          repo: checkout,
          task: "add() subtracts",
          dryRun: false,
          deps: localDeps({ env, db, provider, printed }),
          out: (text) => printed.push(text),
        });
        expect(result.status).toBe("succeeded");
      });
      // The plant ran: the agent's command replaced the worktree's .git.
      const planted = JSON.stringify(
        ollama
          .chatRequests()[2]!
          .messages.filter((m) => m.role === "tool")
          .at(-1)?.content,
      );
      expect(planted).toContain("[exit code 0]");
      expect(existsSync(marker)).toBe(false);
      expect(execFileSync("git", ["show", "coder/task-add-subtracts:src/add.js"], { cwd: repo, encoding: "utf8" })).toContain(
        "return a + b;",
      );
      expect(
        execFileSync("git", ["show", "--stat", "--format=", "coder/task-add-subtracts"], { cwd: repo, encoding: "utf8" }),
      ).not.toContain("plant.py");
    },
  );
});
