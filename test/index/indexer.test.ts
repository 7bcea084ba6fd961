import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IndexCatalog } from "../../src/index/catalog.js";
import type { CodeIndex } from "../../src/index/code-index.js";
import { openCodeIndex, type OpenedCodeIndex } from "../../src/index/open-code-index.js";
import { loadEnv } from "../../src/config/env.js";
import { openDatabase, type Database } from "../../src/store/database.js";
import { changedSymbols } from "../../src/review/changed-symbols.js";
import { parseGitDiff } from "../../src/diff/parse-git-diff.js";

const identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"];
const commanderLib = path.join(path.dirname(createRequire(import.meta.url).resolve("commander")), "lib");
const wasm = path.join(
  path.dirname(createRequire(import.meta.url).resolve("tree-sitter-wasms/package.json")),
  "out",
  "tree-sitter-json.wasm",
);

/**
 * The indexer with every real part: git, the scanner, tree-sitter, the offline sentence encoder,
 * the SQLite store and the catalog, on real source files (commander's).
 */
describe("indexing a repository", () => {
  let repo: string;
  let dataDir: string;
  let db: Database;
  let opened: OpenedCodeIndex;
  let index: CodeIndex;
  let catalog: IndexCatalog;
  const key = "local:test";
  const git = (...args: string[]) => execFileSync("git", [...identity, ...args], { cwd: repo, encoding: "utf8" });
  const commitAll = (message: string) => {
    git("add", "-A");
    git("commit", "-q", "-m", message);
  };
  const run = (
    tag: string,
    extra: { signal?: AbortSignal; batchFiles?: number; onProgress?: Parameters<CodeIndex["index"]>[0]["onProgress"] } = {},
  ) => index.index({ repoKey: key, tag, root: repo, ...extra });
  const top = async (tag: string, query: string) =>
    (await index.search(key, tag, query, 5)).map((h) => `${h.chunk.path}:${h.chunk.symbols.join(".")}`);
  /** Whether the best hit for `query` holds the line of `path` that contains `text` (small methods may share a chunk). */
  const firstHolds = async (tag: string, query: string, file: string, text: string) => {
    const lines = readFileSync(path.join(repo, file), "utf8").split("\n");
    const line = lines.findIndex((l) => l.includes(text)) + 1;
    expect(line, `${text} in ${file}`).toBeGreaterThan(0);
    const [best] = await index.search(key, tag, query, 5);
    return best !== undefined && best.chunk.path === file && best.chunk.startLine <= line && line <= best.chunk.endLine;
  };

  beforeAll(() => {
    repo = realpathSync(mkdtempSync(path.join(tmpdir(), "indexer-repo-")));
    mkdirSync(path.join(repo, "lib"));
    for (const file of ["argument.js", "error.js", "option.js", "suggestSimilar.js"])
      copyFileSync(path.join(commanderLib, file), path.join(repo, "lib", file));
    copyFileSync(wasm, path.join(repo, "grammar.wasm"));
    symlinkSync("nowhere.js", path.join(repo, "lib", "dangling.js"));
    writeFileSync(path.join(repo, ".gitignore"), "ignored.js\n");
    writeFileSync(path.join(repo, "ignored.js"), "export const secret = 1;\n");
    execFileSync("git", ["init", "-q", "-b", "main"], { cwd: repo });
    commitAll("initial");
    dataDir = mkdtempSync(path.join(tmpdir(), "indexer-data-"));
    db = openDatabase(dataDir);
    const code = openCodeIndex(loadEnv({ CODER_DATA_DIR: dataDir }), db);
    if (!code) throw new Error("the index is on by default");
    opened = code;
    index = code.index;
    catalog = new IndexCatalog(db);
  }, 60_000);

  afterAll(async () => {
    await opened?.close();
    db?.close();
    rmSync(repo, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("indexes what git tracks, says what it skipped and why, and records a complete run", async () => {
    const stats = await run("main");
    expect(stats).toMatchObject({ files: 5, chunked: 5, unchanged: 0, reused: 0, removed: 0 });
    expect(stats.chunks).toBeGreaterThan(20);
    expect(stats.embedded + stats.cached).toBe(stats.chunks);
    expect(stats.skipped.map((s) => `${s.path}:${s.reason}`).sort()).toEqual(["grammar.wasm:binary", "lib/dangling.js:unreadable"]);
    expect([...catalog.entries(key, "main").keys()].sort()).toEqual([
      ".gitignore",
      "lib/argument.js",
      "lib/error.js",
      "lib/option.js",
      "lib/suggestSimilar.js",
    ]);
    expect(catalog.lastRun(key, "main")).toMatchObject({ status: "complete", model: "use-lite" });
    expect(index.ready(key, "main")).toBe(true);
  }, 120_000);

  it("finds the expected function at rank 1 for a fixed set of queries", async () => {
    const queries: Array<[string, string, string]> = [
      ["edit distance between two words", "lib/suggestSimilar.js", "function editDistance("],
      ["suggestSimilar", "lib/suggestSimilar.js", "function suggestSimilar("],
      ["InvalidArgumentError", "lib/error.js", "class InvalidArgumentError"],
      ["only allow the option value from a list of choices", "lib/option.js", "  choices(values) {"],
      ["make the argument optional or required", "lib/argument.js", "  argOptional() {"],
    ];
    for (const [query, file, text] of queries) expect(await firstHolds("main", query, file, text), query).toBe(true);
  }, 60_000);

  it("gives a review the definitions a change calls and the code that uses what it changes", async () => {
    // A change that edits InvalidArgumentError in lib/error.js and adds a file calling editDistance.
    const diff = [
      "diff --git a/lib/error.js b/lib/error.js",
      "--- a/lib/error.js",
      "+++ b/lib/error.js",
      "@@ -25,2 +25,2 @@ class CommanderError extends Error {",
      " class InvalidArgumentError extends CommanderError {",
      "-  constructor(message) {",
      "+  constructor(message, value) {",
      "diff --git a/lib/closest.js b/lib/closest.js",
      "new file mode 100644",
      "--- /dev/null",
      "+++ b/lib/closest.js",
      "@@ -0,0 +1,3 @@",
      "+function closestWord(word, candidates) {",
      "+  return candidates.sort((a, b) => editDistance(word, a) - editDistance(word, b))[0];",
      "+}",
      "",
    ].join("\n");
    const files = parseGitDiff(diff);
    const symbols = changedSymbols(files);
    expect(symbols.changed).toEqual(["InvalidArgumentError", "closestWord"]);
    expect(symbols.called).toEqual(["editDistance"]);
    const text = await index.relatedCode(
      key,
      "main",
      { query: "closest word by edit distance", ...symbols, changedPaths: new Set(files.map((f) => f.path)) },
      4_000,
    );
    const sections = text.split(/\n\n(?=Definitions of|Code that uses|Other code near)/);
    expect(sections.map((section) => section.split("\n")[0])).toEqual([
      "Definitions of what the change calls:",
      "Code that uses what the change modifies:",
      "Other code near the change in meaning:",
    ]);
    // The definition is editDistance's own chunk, quoted with its real lines.
    const [definition] = [...sections[0]!.matchAll(/^(\S+):(\d+)-(\d+) \(([^)]*)\)\n```\n([\s\S]*?)\n```$/gm)];
    expect(definition?.slice(1, 2)).toEqual(["lib/suggestSimilar.js"]);
    expect(definition?.[4]).toBe("editDistance");
    expect(definition?.[5]).toBe(
      readFileSync(path.join(repo, "lib/suggestSimilar.js"), "utf8")
        .split("\n")
        .slice(Number(definition![2]) - 1, Number(definition![3]))
        .join("\n"),
    );
    // Callers come from the other files, never from the changed one, and each really names the class.
    const callers = [...sections[1]!.matchAll(/^(\S+):\d+-\d+[^\n]*\n```\n([\s\S]*?)\n```$/gm)];
    expect(new Set(callers.map((c) => c[1]))).toEqual(new Set(["lib/argument.js", "lib/option.js"]));
    for (const caller of callers) expect(caller[2]).toMatch(/\bInvalidArgumentError\b/);
    expect(text).not.toMatch(/^lib\/error\.js:/m);
    // Each chunk once, and within the budget.
    const locations = [...text.matchAll(/^(\S+:\d+-\d+)/gm)].map((m) => m[1]);
    expect(new Set(locations).size).toBe(locations.length);
    expect(await index.relatedCode(key, "main", { query: "x", changed: [], called: ["editDistance"], changedPaths: new Set() }, 10)).toBe(
      "",
    );
  }, 60_000);

  it("an unchanged repository is not chunked or embedded again", async () => {
    const stats = await run("main");
    expect(stats).toMatchObject({ files: 5, unchanged: 5, chunked: 0, chunks: 0, embedded: 0, removed: 0 });
  }, 60_000);

  it("re-indexes only what changed: an edit, a new file, a rename and a deletion", async () => {
    const option = path.join(repo, "lib", "option.js");
    writeFileSync(
      option,
      readFileSync(option, "utf8").replace(
        "choices(values) {",
        "choices(values) {\n    // Checked against every value given on the command line.\n",
      ),
    );
    writeFileSync(path.join(repo, "lib", "colors.js"), "export function paintRed(text) {\n  return `\\x1b[31m${text}\\x1b[0m`;\n}\n");
    git("mv", "lib/argument.js", "lib/arg.js");
    git("rm", "-q", "lib/error.js");
    commitAll("change");
    const stats = await run("main");
    expect(stats).toMatchObject({ files: 5, chunked: 3, unchanged: 2, removed: 2 });
    // The renamed file's chunks have new ids but known text: their vectors come from the cache.
    expect(stats.embedded).toBeLessThan(stats.chunks);
    expect(stats.cached).toBeGreaterThan(0);
    expect((await top("main", "paint the text red"))[0]).toBe("lib/colors.js:paintRed");
    expect(await top("main", "InvalidArgumentError")).not.toContain("lib/error.js:InvalidArgumentError");
    expect(await firstHolds("main", "make the argument optional or required", "lib/arg.js", "  argOptional() {")).toBe(true);
  }, 120_000);

  it("another branch reuses what it shares with the first, and the tags keep them apart", async () => {
    git("checkout", "-q", "-b", "feature");
    const reused = await run("feature");
    expect(reused).toMatchObject({ files: 5, reused: 5, chunked: 0, embedded: 0 });
    writeFileSync(path.join(repo, "lib", "colors.js"), "export function paintBlue(text) {\n  return `\\x1b[34m${text}\\x1b[0m`;\n}\n");
    commitAll("blue");
    const changed = await run("feature");
    expect(changed).toMatchObject({ chunked: 1, unchanged: 4 });
    expect((await top("feature", "paint the text blue"))[0]).toBe("lib/colors.js:paintBlue");
    expect(await top("feature", "paint the text red")).not.toContain("lib/colors.js:paintRed");
    // The default branch still has its own version.
    expect((await top("main", "paint the text red"))[0]).toBe("lib/colors.js:paintRed");
    expect(await top("main", "paint the text blue")).not.toContain("lib/colors.js:paintBlue");
    git("checkout", "-q", "main");
  }, 120_000);

  it("a run killed halfway is not complete, and the next one resumes where it stopped", async () => {
    const tag = "resume";
    const controller = new AbortController();
    let batches = 0;
    await expect(
      run(tag, {
        batchFiles: 2,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === "index" && ++batches === 1) controller.abort(new Error("killed"));
        },
      }),
    ).rejects.toThrow("killed");
    expect(catalog.lastRun(key, tag)).toMatchObject({ status: "failed" });
    const done = catalog.entries(key, tag).size;
    expect(done).toBe(2);
    const resumed = await run(tag, { batchFiles: 2 });
    // The files finished before the kill are not touched again; the rest is new to this tag (here
    // known from the other branches, so tagged rather than embedded).
    expect(resumed).toMatchObject({ files: 5, unchanged: done, removed: 0, embedded: 0 });
    expect(resumed.reused + resumed.chunked).toBe(5 - done);
    expect(catalog.lastRun(key, tag)).toMatchObject({ status: "complete" });
    expect(catalog.entries(key, tag).size).toBe(5);
  }, 120_000);
});
