import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PathGuard } from "../../src/safety/path-guard.js";
import { callTool } from "../../src/tools/call-tool.js";
import { fixTools } from "../../src/tools/fix-tools.js";
import { MAX_TOOL_OUTPUT_CHARS, toolSpec, type ToolContext, type ToolResult } from "../../src/tools/tool.js";
import { HostRunner } from "../../src/workspace/host-runner.js";

const identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"];

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", [...identity, ...args], { cwd, encoding: "utf8" });
}

/** A temp git repository with `files` committed. */
function makeRepo(files: Record<string, string | Buffer>): string {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), "tools-test-")));
  git(root, "init", "-q", "-b", "main");
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "initial");
  return root;
}

function contextFor(root: string, overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    root,
    guard: new PathGuard(root),
    runner: new HostRunner(root),
    signal: new AbortController().signal,
    commandTimeoutMs: 10_000,
    ...overrides,
  };
}

function output(result: ToolResult): string {
  if (result.isError) throw new Error(`expected success, got ${result.reason}: ${result.message}`);
  return result.output;
}

function failure(result: ToolResult): { reason: string; message: string } {
  if (!result.isError) throw new Error(`expected an error, got output: ${result.output}`);
  return { reason: result.reason, message: result.message };
}

const numbered = (count: number, width = 0) =>
  Array.from({ length: count }, (_, i) => `line ${String(i + 1).padStart(width, "0")}`).join("\n") + "\n";

describe("fix tools through callTool", () => {
  let root: string;
  let ctx: ToolContext;
  const call = (name: string, args: unknown, context: ToolContext = ctx) => callTool(fixTools, name, args, context);

  beforeEach(() => {
    root = makeRepo({
      "README.md": "# demo\n",
      "src/app.ts": "export function greet() {\n  return 'Hello';\n}\n",
      "src/util.py": "def shout():\n    return 'HELLO world'\n",
      "five.txt": "one\ntwo\nthree\nfour\nfive\n",
      ".gitignore": "build/\n",
    });
    ctx = contextFor(root);
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  describe("read_file", () => {
    it("numbers every line", async () => {
      expect(output(await call("read_file", { path: "five.txt" }))).toBe("1\tone\n2\ttwo\n3\tthree\n4\tfour\n5\tfive");
    });

    it("reads a range and says where to read on", async () => {
      expect(output(await call("read_file", { path: "five.txt", start_line: 2, end_line: 3 }))).toBe(
        "2\ttwo\n3\tthree\n[lines 2-3 of 5; read on with start_line 4]",
      );
      expect(output(await call("read_file", { path: "five.txt", start_line: 4 }))).toBe("4\tfour\n5\tfive");
    });

    it("pads line numbers to the widest one shown", async () => {
      writeFileSync(path.join(root, "twelve.txt"), numbered(12));
      const text = output(await call("read_file", { path: "twelve.txt", start_line: 8, end_line: 10 }));
      expect(text.split("\n").slice(0, 3)).toEqual([" 8\tline 8", " 9\tline 9", "10\tline 10"]);
    });

    it("returns at most 800 lines of a long file, with the note to read on", async () => {
      writeFileSync(path.join(root, "long.txt"), numbered(900));
      const text = output(await call("read_file", { path: "long.txt" }));
      const lines = text.split("\n");
      expect(lines).toHaveLength(801);
      expect(lines[799]).toBe("800\tline 800");
      expect(lines[800]).toBe("[lines 1-800 of 900; read on with start_line 801]");
    });

    it("refuses a start_line past the end", async () => {
      expect(failure(await call("read_file", { path: "five.txt", start_line: 9 }))).toEqual({
        reason: "out-of-range",
        message: "five.txt has 5 lines; start_line 9 is past the end.",
      });
    });

    it("refuses a binary file", async () => {
      writeFileSync(path.join(root, "blob.bin"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
      expect(failure(await call("read_file", { path: "blob.bin" })).reason).toBe("binary");
    });

    it("refuses a directory and points at list_files", async () => {
      const result = failure(await call("read_file", { path: "src" }));
      expect(result.reason).toBe("is-directory");
      expect(result.message).toContain("list_files");
    });

    it("reports a missing file as not-found", async () => {
      expect(failure(await call("read_file", { path: "nope.txt" })).reason).toBe("not-found");
    });

    it("refuses a path outside the repository", async () => {
      expect(failure(await call("read_file", { path: "../outside.txt" })).reason).toBe("outside-workspace");
    });
  });

  describe("write_file", () => {
    it("creates missing parent directories", async () => {
      const result = await call("write_file", { path: "deep/er/new.ts", content: "a\nb\n" });
      expect(output(result)).toBe("Wrote deep/er/new.ts (3 lines).");
      expect(readFileSync(path.join(root, "deep/er/new.ts"), "utf8")).toBe("a\nb\n");
    });

    it("replaces an existing file's whole content", async () => {
      output(await call("write_file", { path: "README.md", content: "new\n" }));
      expect(readFileSync(path.join(root, "README.md"), "utf8")).toBe("new\n");
    });

    it("refuses to write under .git", async () => {
      expect(failure(await call("write_file", { path: ".git/hooks/pre-commit", content: "x" })).reason).toBe("git-directory");
      expect(existsSync(path.join(root, ".git/hooks/pre-commit"))).toBe(false);
    });
  });

  describe("edit_file", () => {
    it("replaces the one occurrence and names the line", async () => {
      const result = await call("edit_file", { path: "src/app.ts", old_text: "return 'Hello';", new_text: "return 'Hi';" });
      expect(output(result)).toBe("Edited src/app.ts at line 2.");
      expect(readFileSync(path.join(root, "src/app.ts"), "utf8")).toBe("export function greet() {\n  return 'Hi';\n}\n");
    });

    it("keeps replacement text literally (no $-patterns)", async () => {
      output(await call("edit_file", { path: "five.txt", old_text: "two", new_text: "$& $1 $$" }));
      expect(readFileSync(path.join(root, "five.txt"), "utf8")).toBe("one\n$& $1 $$\nthree\nfour\nfive\n");
    });

    it("says when old_text is not found, and leaves the file alone", async () => {
      const result = failure(await call("edit_file", { path: "src/app.ts", old_text: "return 'Bye';", new_text: "x" }));
      expect(result.reason).toBe("no-match");
      expect(result.message).toContain("old_text was not found in src/app.ts");
      expect(result.message).toContain("Read the file again");
      expect(readFileSync(path.join(root, "src/app.ts"), "utf8")).toContain("return 'Hello';");
    });

    it("hints at whitespace when only the surrounding whitespace differs", async () => {
      const result = failure(await call("edit_file", { path: "src/app.ts", old_text: "\treturn 'Hello';", new_text: "x" }));
      expect(result.reason).toBe("no-match");
      expect(result.message).toContain("different surrounding whitespace");
    });

    it("refuses an ambiguous old_text and lists the lines", async () => {
      writeFileSync(path.join(root, "dup.txt"), "x = 1\ny = 2\nx = 1\nz = 3\nx = 1\n");
      const result = failure(await call("edit_file", { path: "dup.txt", old_text: "x = 1", new_text: "x = 9" }));
      expect(result.reason).toBe("ambiguous");
      expect(result.message).toContain("occurs 3 times in dup.txt (lines 1, 3, 5)");
      expect(readFileSync(path.join(root, "dup.txt"), "utf8")).toBe("x = 1\ny = 2\nx = 1\nz = 3\nx = 1\n");
    });
  });

  describe("list_files", () => {
    it("lists the root without .git, directories with a slash", async () => {
      expect(output(await call("list_files", {})).split("\n")).toEqual([".gitignore", "README.md", "five.txt", "src/"]);
    });

    it("lists a subdirectory", async () => {
      expect(output(await call("list_files", { path: "src" }))).toBe("app.ts\nutil.py");
    });
  });

  describe("find_files", () => {
    it("matches a glob and skips ignored files", async () => {
      mkdirSync(path.join(root, "build"));
      writeFileSync(path.join(root, "build/out.ts"), "ignored\n");
      writeFileSync(path.join(root, "src/extra.ts"), "x\n");
      expect(output(await call("find_files", { pattern: "**/*.ts" })).split("\n")).toEqual(["src/app.ts", "src/extra.ts"]);
    });

    it("says when nothing matches", async () => {
      expect(failure(await call("find_files", { pattern: "**/*.rs" })).reason).toBe("no-match");
    });
  });

  describe("grep", () => {
    it("filters by glob and honours ignore_case", async () => {
      expect(output(await call("grep", { pattern: "hello", glob: "*.py", ignore_case: true }))).toBe(
        "./src/util.py:2:    return 'HELLO world'",
      );
      const both = output(await call("grep", { pattern: "hello", ignore_case: true }));
      expect(both.split("\n").sort()).toEqual(["./src/app.ts:2:  return 'Hello';", "./src/util.py:2:    return 'HELLO world'"]);
    });

    it("is case-sensitive by default and reports no match as an error", async () => {
      const result = failure(await call("grep", { pattern: "hello", glob: "*.py" }));
      expect(result).toEqual({ reason: "no-match", message: "No matches for /hello/ in the repository." });
    });

    it("searches only under the given path", async () => {
      expect(output(await call("grep", { pattern: "return", path: "src", glob: "*.ts" }))).toBe("src/app.ts:2:  return 'Hello';");
      expect(output(await call("grep", { pattern: "one", path: "five.txt" }))).toBe("1:one");
    });

    it("reports a bad regular expression", async () => {
      const result = failure(await call("grep", { pattern: "(unclosed" }));
      expect(result.reason).toBe("search-failed");
      expect(result.message).toContain("escape special characters");
    });
  });

  describe("run_command", () => {
    it("reports the exit code and both streams", async () => {
      const shell = contextFor(root, { policy: { allowShell: true, extraPrograms: [] } });
      expect(output(await call("run_command", { command: "echo out; echo err >&2; exit 3" }, shell))).toBe(
        "$ echo out; echo err >&2; exit 3\n[exit code 3]\nstdout:\nout\nstderr:\nerr",
      );
      expect(output(await call("run_command", { command: "true" }))).toBe("$ true\n[exit code 0]");
    });

    it("runs in the repository root", async () => {
      expect(output(await call("run_command", { command: "pwd" }))).toContain(`stdout:\n${root}`);
    });

    it("kills a command that runs past the timeout and says so", async () => {
      const started = Date.now();
      const text = output(await call("run_command", { command: "sleep 30" }, contextFor(root, { commandTimeoutMs: 300 })));
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(text).toMatch(/^\$ sleep 30\n\[timed out after \d+ m?s and was killed\]$/);
    });

    it("uses the smaller of timeout_seconds and the configured timeout", async () => {
      const started = Date.now();
      const text = output(await call("run_command", { command: "sleep 30", timeout_seconds: 1 }));
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(text).toContain("[timed out after 1 s and was killed]");
    });
  });

  describe("git_status and git_diff", () => {
    it("say there are no changes at first", async () => {
      expect(output(await call("git_status", {}))).toBe("No changes yet.");
      expect(output(await call("git_diff", {}))).toBe("No changes yet.");
    });

    it("show a new file and an edited one", async () => {
      output(await call("write_file", { path: "src/new.ts", content: "export const x = 1;\n" }));
      output(await call("edit_file", { path: "five.txt", old_text: "three", new_text: "THREE" }));

      expect(output(await call("git_status", {}))).toBe(" M five.txt\n?? src/new.ts");

      const diff = output(await call("git_diff", {}));
      expect(diff).toContain("diff --git a/src/new.ts b/src/new.ts");
      expect(diff).toContain("new file mode 100644");
      expect(diff).toContain("+export const x = 1;");
      expect(diff).toContain("-three\n+THREE");

      const one = output(await call("git_diff", { path: "src/new.ts" }));
      expect(one).toContain("+export const x = 1;");
      expect(one).not.toContain("five.txt");
    });
  });

  it("finish carries the summary", async () => {
    expect(await call("finish", { summary: "Fixed the greeting." })).toEqual({
      isError: false,
      output: "Finished.",
      finished: { summary: "Fixed the greeting." },
    });
  });

  describe("argument validation", () => {
    it("names a missing field", async () => {
      const result = await call("read_file", {});
      expect(result).toMatchObject({ isError: true, reason: "invalid-arguments" });
      expect(failure(result).message).toMatch(/^The arguments for read_file are invalid \(path: .+\)\. Call it again/);
    });

    it("names a field of the wrong type", async () => {
      const result = await call("read_file", { path: "five.txt", start_line: "2" });
      expect(result).toMatchObject({ isError: true, reason: "invalid-arguments" });
      expect(failure(result).message).toContain("start_line:");
      expect(failure(result).message).toMatch(/expected number/);
    });

    it("names every bad field at once", async () => {
      const message = failure(await call("edit_file", { path: 1, old_text: "" })).message;
      expect(message).toContain("path:");
      expect(message).toContain("old_text:");
      expect(message).toContain("new_text:");
    });

    it("accepts arguments given as a JSON string, and refuses text that is not JSON", async () => {
      expect(output(await call("read_file", '{"path":"five.txt","end_line":1}'))).toBe(
        "1\tone\n[lines 1-1 of 5; read on with start_line 2]",
      );
      const result = failure(await call("read_file", "five.txt"));
      expect(result.reason).toBe("invalid-arguments");
      expect(result.message).toContain("arguments:");
    });

    it("treats missing arguments as an empty object", async () => {
      expect(output(await call("git_status", undefined))).toBe("No changes yet.");
    });
  });

  describe("tool names", () => {
    it("lists the available tools for an unknown name", async () => {
      const result = failure(await call("delete_file", { path: "x" }));
      expect(result.reason).toBe("unknown-tool");
      expect(result.message).toBe(
        'There is no tool named "delete_file". Available tools: read_file, write_file, edit_file, list_files, find_files, grep, run_command, git_status, git_diff, finish.',
      );
    });

    it("resolves a name in the wrong case or with spaces around it", async () => {
      expect(output(await call("Read_File", { path: "five.txt", end_line: 1 }))).toMatch(/^1\tone/);
      expect(output(await call(" GIT_STATUS ", {}))).toBe("No changes yet.");
    });
  });

  it("cuts long output in the middle with a note, keeping both ends", async () => {
    writeFileSync(path.join(root, "wide.txt"), Array.from({ length: 700 }, (_, i) => `row ${i + 1} ${"x".repeat(80)}`).join("\n") + "\n");
    const text = output(await call("read_file", { path: "wide.txt" }));
    expect(text.length).toBeLessThan(MAX_TOOL_OUTPUT_CHARS + 200);
    expect(text.startsWith(`  1\trow 1 `)).toBe(true);
    expect(text.endsWith(`700\trow 700 ${"x".repeat(80)}`)).toBe(true);
    expect(text).toMatch(/\n\[… \d+ characters cut; narrow the request \(line range, path, pattern\) to see them …\]\n/);
    const cut = Number(/\[… (\d+) characters cut/.exec(text)?.[1]);
    const full = Array.from({ length: 700 }, (_, i) => `${String(i + 1).padStart(3)}\trow ${i + 1} ${"x".repeat(80)}`).join("\n");
    expect(cut).toBe(full.length - 2 * Math.floor(MAX_TOOL_OUTPUT_CHARS / 2));
  });

  it("leaves output at the cap untouched", async () => {
    const body = "y".repeat(MAX_TOOL_OUTPUT_CHARS - "1\t".length);
    writeFileSync(path.join(root, "exact.txt"), `${body}\n`);
    expect(output(await call("read_file", { path: "exact.txt" }))).toBe(`1\t${body}`);
  });
});

describe("what the model sees", () => {
  it("toolSpec of every fix tool", () => {
    const specs = [...fixTools.values()].map(toolSpec);
    for (const spec of specs) {
      expect(spec.description.length).toBeGreaterThan(20);
      expect(spec.parameters).toMatchObject({ type: "object" });
      expect(spec.parameters).not.toHaveProperty("$schema");
    }
    const shape = specs.map((spec) => {
      const properties = (spec.parameters.properties ?? {}) as Record<string, { type?: string; default?: unknown }>;
      return {
        name: spec.name,
        properties: Object.fromEntries(
          Object.entries(properties).map(([key, value]) => [
            key,
            value.default === undefined ? value.type : `${value.type} = ${JSON.stringify(value.default)}`,
          ]),
        ),
        required: spec.parameters.required ?? [],
      };
    });
    expect(shape).toEqual([
      { name: "read_file", properties: { path: "string", start_line: "integer", end_line: "integer" }, required: ["path"] },
      { name: "write_file", properties: { path: "string", content: "string" }, required: ["path", "content"] },
      {
        name: "edit_file",
        properties: { path: "string", old_text: "string", new_text: "string" },
        required: ["path", "old_text", "new_text"],
      },
      { name: "list_files", properties: { path: 'string = "."' }, required: [] },
      { name: "find_files", properties: { pattern: "string" }, required: ["pattern"] },
      {
        name: "grep",
        properties: { pattern: "string", path: 'string = "."', glob: "string", ignore_case: "boolean = false" },
        required: ["pattern"],
      },
      { name: "run_command", properties: { command: "string", timeout_seconds: "integer" }, required: ["command"] },
      { name: "git_status", properties: {}, required: [] },
      { name: "git_diff", properties: { path: "string" }, required: [] },
      { name: "finish", properties: { summary: "string" }, required: ["summary"] },
    ]);
  });

  it("full JSON schemas of the tools that take file paths and commands", () => {
    const spec = (name: string) => toolSpec(fixTools.get(name)!);
    expect(spec("read_file")).toEqual({
      name: "read_file",
      description:
        "Read a text file of the repository with line numbers. Give start_line and end_line (1-based, inclusive) to read part of a long file; at most 800 lines are returned at once.",
      parameters: {
        type: "object",
        properties: {
          path: { type: "string", minLength: 1, description: "Path relative to the repository root" },
          start_line: { type: "integer", exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          end_line: { type: "integer", exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        },
        required: ["path"],
      },
    });
    expect(spec("edit_file").parameters).toEqual({
      type: "object",
      properties: {
        path: { type: "string", minLength: 1, description: "Path relative to the repository root" },
        old_text: { type: "string", minLength: 1, description: "The exact text to replace" },
        new_text: { type: "string", description: "The replacement text" },
      },
      required: ["path", "old_text", "new_text"],
    });
    expect(spec("run_command").parameters).toEqual({
      type: "object",
      properties: {
        command: { type: "string", minLength: 1, description: "The command line, e.g. npm test" },
        timeout_seconds: { type: "integer", exclusiveMinimum: 0, maximum: 3600 },
      },
      required: ["command"],
    });
    expect(spec("grep").parameters).toEqual({
      type: "object",
      properties: {
        pattern: { type: "string", minLength: 1, description: "Regular expression" },
        path: { type: "string", default: ".", description: "File or directory to search, relative to the repository root" },
        glob: { type: "string", description: "Only search files matching this glob, e.g. *.py" },
        ignore_case: { type: "boolean", default: false },
      },
      required: ["pattern"],
    });
  });
});
