import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Ollama } from "ollama";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitCommandError, pushFiles, seedRepo, startGitServer, type GitServer } from "../support/git-server.js";
import { startScriptedOllama, type ScriptedOllama, type ScriptedTurn } from "../support/scripted-ollama.js";

const REPO = "acme/widgets";
const TOKEN = "ghs_valid_token";

function tempDir(prefix: string, cleanup: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(dir);
  return dir;
}

describe("git smart-HTTP test server", { timeout: 30_000 }, () => {
  let server: GitServer;
  const cleanup: string[] = [];

  beforeEach(async () => {
    server = await startGitServer({ requireToken: (token) => token === TOKEN });
  });

  afterEach(async () => {
    await server.close();
    for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("serves a seeded repository for cloning", async () => {
    const sha = await seedRepo(server, REPO, { "README.md": "# widgets\n", "src/a.ts": "export {};\n" }, { token: TOKEN });
    const dir = tempDir("clone-", cleanup);

    await server.git(["clone", "--quiet", server.cloneUrl(REPO), dir], { token: TOKEN });

    expect(readFileSync(join(dir, "README.md"), "utf8")).toBe("# widgets\n");
    expect(await server.git(["rev-parse", "HEAD"], { cwd: dir })).toBe(sha);
    expect(await server.git(["log", "-1", "--format=%an <%ae>"], { cwd: dir })).toBe("Test <test@example.com>");
    expect(server.requests.some((r) => r.service === "git-upload-pack" && r.authorized && r.token === TOKEN)).toBe(true);
  });

  it("accepts credentials embedded in the clone URL", async () => {
    await seedRepo(server, REPO, { "a.txt": "a\n" }, { token: TOKEN });
    const dir = tempDir("clone-", cleanup);

    await server.git(["clone", "--quiet", server.cloneUrl(REPO, TOKEN), dir]);

    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("a\n");
  });

  it("records an accepted push", async () => {
    const base = await seedRepo(server, REPO, { "a.txt": "a\n" }, { token: TOKEN });
    const dir = tempDir("clone-", cleanup);
    await server.git(["clone", "--quiet", server.cloneUrl(REPO), dir], { token: TOKEN });
    writeFileSync(join(dir, "b.txt"), "b\n");
    const identity = {
      GIT_AUTHOR_NAME: "Bot",
      GIT_AUTHOR_EMAIL: "bot@example.com",
      GIT_COMMITTER_NAME: "Bot",
      GIT_COMMITTER_EMAIL: "bot@example.com",
    };
    await server.git(["add", "b.txt"], { cwd: dir });
    await server.git(["commit", "-q", "-m", "add b"], { cwd: dir, env: identity });
    const head = await server.git(["rev-parse", "HEAD"], { cwd: dir });

    await server.git(["push", "-q", "origin", "HEAD:refs/heads/coder/fix-1"], { cwd: dir, token: TOKEN });

    const expected = { ref: "refs/heads/coder/fix-1", oldSha: "0".repeat(40), newSha: head, forced: false };
    expect(server.acceptedUpdates(REPO)).toContainEqual(expected);
    expect(server.refUpdates(REPO)).toContainEqual(expected);
    expect(server.acceptedUpdates(REPO)[0]).toMatchObject({ ref: "refs/heads/main", newSha: base });
  });

  it("refuses a forced push but records the attempt as forced", async () => {
    const base = await seedRepo(server, REPO, { "a.txt": "a\n" }, { token: TOKEN });
    const dir = tempDir("clone-", cleanup);
    await server.git(["clone", "--quiet", server.cloneUrl(REPO), dir], { token: TOKEN });
    const moved = await pushFiles(server, REPO, { "a.txt": "moved\n" }, { token: TOKEN, message: "move main" });
    writeFileSync(join(dir, "a.txt"), "diverged\n");
    await server.git(["commit", "-q", "-am", "diverge"], {
      cwd: dir,
      env: { GIT_AUTHOR_NAME: "B", GIT_AUTHOR_EMAIL: "b@x", GIT_COMMITTER_NAME: "B", GIT_COMMITTER_EMAIL: "b@x" },
    });
    const diverged = await server.git(["rev-parse", "HEAD"], { cwd: dir });

    const push = server.git(["push", "--force", "origin", "HEAD:refs/heads/main"], { cwd: dir, token: TOKEN });

    await expect(push).rejects.toBeInstanceOf(GitCommandError);
    await expect(push).rejects.toThrow(/non-fast-forward/);
    expect(server.refUpdates(REPO)).toContainEqual({ ref: "refs/heads/main", oldSha: moved, newSha: diverged, forced: true });
    expect(server.acceptedUpdates(REPO).map((u) => u.newSha)).toEqual([base, moved]);
    const remote = await server.git(["ls-remote", server.cloneUrl(REPO), "refs/heads/main"], { token: TOKEN });
    expect(remote.split("\t")[0]).toBe(moved);
  });

  it("refuses requests without a valid token", async () => {
    await seedRepo(server, REPO, { "a.txt": "a\n" }, { token: TOKEN });
    const before = server.requests.length;

    await expect(server.git(["ls-remote", server.cloneUrl(REPO)])).rejects.toBeInstanceOf(GitCommandError);
    await expect(server.git(["ls-remote", server.cloneUrl(REPO)], { token: "wrong" })).rejects.toThrow(
      /401|Authentication failed|could not read/i,
    );

    const refused = server.requests.slice(before);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.every((r) => !r.authorized && r.status === 401)).toBe(true);
    expect(refused.map((r) => r.token)).toEqual(expect.arrayContaining([null, "wrong"]));
  });

  it("accepts a Bearer token too", async () => {
    await seedRepo(server, REPO, { "a.txt": "a\n" }, { token: TOKEN });
    const bearer = ["-c", `http.extraHeader=Authorization: Bearer ${TOKEN}`];

    const refs = await server.git([...bearer, "ls-remote", server.cloneUrl(REPO)]);

    expect(refs).toMatch(/refs\/heads\/main/);
    expect(server.requests.at(-1)).toMatchObject({ authorized: true, token: TOKEN, service: "git-upload-pack" });
  });
});

const TOOLS = [
  {
    type: "function",
    function: {
      name: "read_file",
      description: "Read a file",
      parameters: { type: "object", required: ["path"], properties: { path: { type: "string" } } },
    },
  },
];

describe("scripted Ollama server", () => {
  let ollama: ScriptedOllama;
  const start = async (script: ScriptedTurn[], models?: string[]) => {
    ollama = await startScriptedOllama({ script, models });
    return new Ollama({ host: ollama.url });
  };

  afterEach(async () => {
    await ollama.close();
  });

  it("answers non-streamed chat with tool calls, then content", async () => {
    const client = await start([{ toolCalls: [{ name: "read_file", arguments: { path: "README.md" } }] }, { content: "All done." }]);
    const messages = [{ role: "user", content: "Fix the bug in README.md please" }];

    const first = await client.chat({ model: "qwen2.5-coder:7b", messages, tools: TOOLS, stream: false });
    const second = await client.chat({
      model: "qwen2.5-coder:7b",
      messages: [...messages, first.message, { role: "tool", content: "# readme", tool_name: "read_file" }],
      tools: TOOLS,
      stream: false,
    });

    expect(first.message.tool_calls?.[0]?.function).toMatchObject({ name: "read_file", arguments: { path: "README.md" }, index: 0 });
    expect(first.message.tool_calls?.[0]).toHaveProperty("id", expect.stringMatching(/^call_/));
    expect(first).toMatchObject({ done: true, done_reason: "stop", model: "qwen2.5-coder:7b", prompt_eval_count: 8 });
    expect(second.message).toEqual({ role: "assistant", content: "All done." });
    expect(second.eval_count).toBeGreaterThan(0);
    expect(ollama.turnsServed).toBe(2);
    expect(ollama.chatRequests()[0]?.tools).toEqual(TOOLS);
    expect(ollama.chatRequests()[1]?.messages.at(-1)).toMatchObject({ role: "tool", tool_name: "read_file" });
  });

  it("streams content, thinking and tool calls as NDJSON", async () => {
    const client = await start([
      { thinking: "Let me look.", content: "I will read the file now.", toolCalls: [{ name: "read_file", arguments: { path: "a.ts" } }] },
    ]);

    const stream = await client.chat({
      model: "qwen2.5-coder:7b",
      messages: [{ role: "user", content: "go" }],
      tools: TOOLS,
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((c) => c.message.content).join("")).toBe("I will read the file now.");
    expect(chunks.map((c) => c.message.thinking ?? "").join("")).toBe("Let me look.");
    expect(chunks.flatMap((c) => c.message.tool_calls ?? []).map((c) => c.function.name)).toEqual(["read_file"]);
    const last = chunks.at(-1);
    expect(last).toMatchObject({ done: true, done_reason: "stop" });
    expect(last?.eval_duration).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => !c.done)).toBe(true);
  });

  it("surfaces an unknown model as the client's 404 error without consuming a turn", async () => {
    const client = await start([{ content: "unused" }]);

    const chat = client.chat({ model: "llama3:8b", messages: [{ role: "user", content: "hi" }] });

    await expect(chat).rejects.toMatchObject({
      name: "ResponseError",
      status_code: 404,
      error: 'model "llama3:8b" not found, try pulling it first',
    });
    expect(ollama.turnsServed).toBe(0);
  });

  it("plays scripted errors and delays, then an empty reply when exhausted", async () => {
    const client = await start([
      { error: { status: 500, message: "llama runner process has terminated" } },
      { delayMs: 50, turn: { content: "late" } },
    ]);
    const request = { model: "qwen2.5-coder:7b", messages: [{ role: "user", content: "x" }] };

    await expect(client.chat(request)).rejects.toMatchObject({ status_code: 500, error: "llama runner process has terminated" });
    const started = Date.now();
    expect((await client.chat(request)).message.content).toBe("late");
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    const exhausted = await client.chat(request);

    expect(exhausted.message).toEqual({ role: "assistant", content: "" });
    expect(ollama.turnsServed).toBe(2);
  });

  it("serves tags, show, version and the root probe", async () => {
    const client = await start([], ["qwen2.5-coder:7b", "llama3"]);

    const tags = await client.list();
    const show = await client.show({ model: "qwen2.5-coder:7b" });

    expect(tags.models.map((m) => m.name)).toEqual(["qwen2.5-coder:7b", "llama3:latest"]);
    expect(tags.models[0]?.details).toMatchObject({ format: "gguf", family: "qwen2" });
    expect(show.model_info).toMatchObject({ "general.architecture": "qwen2", "qwen2.context_length": 32768 });
    expect(show.capabilities).toContain("tools");
    await expect(client.show({ model: "missing" })).rejects.toMatchObject({ status_code: 404 });
    expect(await client.version()).toEqual({ version: "0.12.6" });
    expect(await (await fetch(ollama.url)).text()).toBe("Ollama is running");
  });
});

describe("scripted Ollama as a standalone process", { timeout: 30_000 }, () => {
  it("loads a JSON script and prints its URL", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scripted-ollama-"));
    const scriptPath = join(dir, "script.json");
    writeFileSync(scriptPath, JSON.stringify({ script: [{ content: "from a file" }] }));
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/support/scripted-ollama.ts", "--script", scriptPath, "--port", "0", "--model", "tiny:1b"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    try {
      const url = await firstLine(child.stdout);
      const reply = await new Ollama({ host: url }).chat({ model: "tiny:1b", messages: [{ role: "user", content: "hi" }] });
      expect(reply.message.content).toBe("from a file");
    } finally {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  for await (const line of createInterface({ input: stream })) {
    const match = /^listening (\S+)$/.exec(line);
    if (match?.[1]) return match[1];
  }
  throw new Error("scripted-ollama exited without printing its URL");
}
