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

const identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"];
const commanderLib = path.join(path.dirname(createRequire(import.meta.url).resolve("commander")), "lib");
const wasm = path.join(path.dirname(createRequire(import.meta.url).resolve("tree-sitter-wasms/package.json")), "out", "tree-sitter-json.wasm");

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
  const run = (tag: string, extra: { signal?: AbortSignal; batchFiles?: number; onProgress?: Parameters<CodeIndex["index"]>[0]["onProgress"] } = {}) =>
    index.index({ repoKey: key, tag, root: repo, ...extra });
  const top = async (tag: string, query: string) => (await index.search(key, tag, query, 5)).map((h) => `${h.chunk.path}:${h.chunk.symbols.join(".")}`);
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
    for (const file of ["argument.js", "error.js", "option.js", "suggestSimilar.js"]) copyFileSync(path.join(commanderLib, file), path.join(repo, "lib", file));
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
    expect([...catalog.entries(key, "main").keys()].sort()).toEqual([".gitignore", "lib/argument.js", "lib/error.js", "lib/option.js", "lib/suggestSimilar.js"]);
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

  it("an unchanged repository is not chunked or embedded again", async () => {
    const stats = await run("main");
    expect(stats).toMatchObject({ files: 5, unchanged: 5, chunked: 0, chunks: 0, embedded: 0, removed: 0 });
  }, 60_000);

  it("re-indexes only what changed: an edit, a new file, a rename and a deletion", async () => {
    const option = path.join(repo, "lib", "option.js");
    writeFileSync(option, readFileSync(option, "utf8").replace("choices(values) {", "choices(values) {\n    // Checked against every value given on the command line.\n"));
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
