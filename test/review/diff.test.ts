import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAgainstContent } from "../../src/diff/check-against-content.js";
import { DiffParseError } from "../../src/diff/diff-parse-error.js";
import { describeFile, summarizeFile } from "../../src/diff/file-summary.js";
import { DiffLineMap, FileLineMap } from "../../src/diff/line-map.js";
import { numberedPatch } from "../../src/diff/numbered-patch.js";
import { parseGitDiff } from "../../src/diff/parse-git-diff.js";
import { parsePatch, parsePullRequestFile } from "../../src/diff/parse-patch.js";
import { patchText } from "../../src/diff/patch-text.js";
import type { DiffFile } from "../../src/diff/types.js";
import { nestedPackagePairs, parseCatFileBatch, rawPatches } from "../support/diff-corpus.js";
import { githubOpenApiPath } from "../support/github-openapi.js";

const projectRoot = path.resolve(import.meta.dirname, "../..");
const nodeModules = path.join(projectRoot, "node_modules");
const scratch = mkdtempSync(path.join(tmpdir(), "coder-bot-diff-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** git with no user or system configuration, so colour, prefixes and quoting are git's defaults. */
const gitEnv = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: scratch,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  LANG: "C",
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

/** `git diff --no-index` exits 1 when the files differ; that is its answer, not a failure. */
function gitNoIndex(cwd: string, ...args: string[]): string {
  const result = spawnSync("git", ["diff", "--no-index", ...args], { cwd, env: gitEnv, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0 && result.status !== 1) throw new Error(`git diff --no-index ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** Blob contents by `rev:path` through one `git cat-file --batch`; null for a missing object. */
function readBlobs(cwd: string, specs: readonly string[]): (string | null)[] {
  if (specs.length === 0) return [];
  return parseCatFileBatch(
    execFileSync("git", ["cat-file", "--batch"], {
      cwd,
      env: gitEnv,
      input: specs.map((s) => `${s}\n`).join(""),
      maxBuffer: 512 * 1024 * 1024,
    }),
    specs.length,
  );
}

/** `--numstat` counts in diff order; null for a binary file. */
function numstat(text: string): ({ additions: number; deletions: number } | null)[] {
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [a, d] = line.split("\t");
      return a === "-" ? null : { additions: Number(a), deletions: Number(d) };
    });
}

function write(root: string, relative: string, content: string | Buffer): void {
  mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  writeFileSync(path.join(root, relative), content);
}

function expectMatchesContent(file: DiffFile, oldText: string | null, newText: string | null): number {
  const check = checkAgainstContent(file, oldText, newText);
  expect(check.mismatches, `${file.path}: ${JSON.stringify(check.mismatches.slice(0, 3))}`).toEqual([]);
  return check.checked;
}

/** The same file read from GitHub's shape: hunks equal to those read from the full diff. */
function expectSameAsPullRequestFile(file: DiffFile, raw: string): void {
  expect(patchText(file)).toBe(raw);
  const fromApi = parsePullRequestFile({
    path: file.path,
    previousPath: file.previousPath,
    status: file.status,
    patch: raw === "" ? undefined : raw,
  });
  // Compared as text: a deep equality over every line object of the whole history is slow.
  expect(JSON.stringify(fromApi.hunks) === JSON.stringify(file.hunks), `${file.path} reads differently from GitHub's patch`).toBe(true);
  expect([fromApi.additions, fromApi.deletions]).toEqual([file.additions, file.deletions]);
}

describe("this repository's own history", () => {
  const commits = git(projectRoot, "rev-list", "--no-merges", "--parents", "HEAD")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(" "))
    .filter((ids) => ids.length === 2) as [string, string][];

  it("has a history to read", () => {
    expect(commits.length).toBeGreaterThanOrEqual(10);
  });

  it("maps every line of every commit's diff to the text of the files on both sides", () => {
    let lines = 0;
    let files = 0;
    for (const [commit, parent] of commits) {
      const diff = git(projectRoot, "diff", "-M", parent, commit);
      const parsed = parseGitDiff(diff);
      const counts = numstat(git(projectRoot, "diff", "-M", "--numstat", parent, commit));
      const raws = rawPatches(diff);
      expect(parsed.length).toBe(counts.length);
      const text = parsed.filter((f) => !f.binary);
      const blobs = readBlobs(
        projectRoot,
        text.flatMap((f) => [`${parent}:${f.previousPath ?? f.path}`, `${commit}:${f.path}`]),
      );
      text.forEach((file, i) => {
        const oldText = file.status === "added" ? null : blobs[2 * i]!;
        const newText = file.status === "removed" ? null : blobs[2 * i + 1]!;
        lines += expectMatchesContent(file, oldText, newText);
      });
      parsed.forEach((file, i) => {
        const expected = counts[i];
        expect(file.binary).toBe(expected === null);
        if (expected) expect({ additions: file.additions, deletions: file.deletions }, `${commit} ${file.path}`).toEqual(expected);
        expectSameAsPullRequestFile(file, raws[i]!);
      });
      files += parsed.length;
    }
    expect(files).toBeGreaterThan(100);
    expect(lines).toBeGreaterThan(10_000);
  });

  it("reads a range of several commits as one pull request would show it", () => {
    const [head] = commits[0]!;
    const base = commits[Math.min(5, commits.length - 1)]![1];
    const diff = git(projectRoot, "diff", "-M", base, head);
    const parsed = parseGitDiff(diff);
    const map = DiffLineMap.from(parsed);
    const shown = parsed.filter((f) => !f.binary && f.status !== "removed");
    const contents = readBlobs(
      projectRoot,
      shown.map((f) => `${head}:${f.path}`),
    );
    expect(shown.length).toBeGreaterThan(5);
    shown.forEach((file, i) => {
      const lines = contents[i]!.split("\n");
      for (const range of map.file(file.path)!.rangesOf("RIGHT")) {
        expect(map.newSideText(file.path, range.start, range.end)).toEqual(lines.slice(range.start - 1, range.end));
      }
    });
  });
});

function filesUnder(root: string, relative = ""): string[] {
  return readdirSync(path.join(root, relative)).flatMap((name) => {
    const child = path.join(relative, name);
    return statSync(path.join(root, child)).isDirectory() ? filesUnder(root, child) : [child];
  });
}

describe("version-to-version diffs of packages in node_modules", () => {
  const pairs = nestedPackagePairs(nodeModules);

  it("finds packages installed at two versions", () => {
    expect(pairs.length).toBeGreaterThanOrEqual(5);
  });

  it("maps every line of one changed file per package, diffed with git diff --no-index", () => {
    let checkedFiles = 0;
    for (const pair of pairs) {
      const common = filesUnder(path.join(nodeModules, pair.older))
        .filter((f) => /\.(c?js|mjs|d\.ts|md|json)$/.test(f) && existsSync(path.join(nodeModules, pair.newer, f)))
        .sort();
      for (const relative of common) {
        const older = path.join(pair.older, relative);
        const newer = path.join(pair.newer, relative);
        const diff = gitNoIndex(nodeModules, older, newer);
        if (diff === "") continue;
        const [file, ...rest] = parseGitDiff(diff);
        expect(rest).toEqual([]);
        expect(file!.path).toBe(newer);
        expect(file!.previousPath).toBe(older);
        expect(file!.status).toBe("modified");
        if (file!.binary) continue;
        expectMatchesContent(
          file!,
          readFileSync(path.join(nodeModules, older), "utf8"),
          readFileSync(path.join(nodeModules, newer), "utf8"),
        );
        expectSameAsPullRequestFile(file!, rawPatches(diff)[0]!);
        checkedFiles++;
        break;
      }
    }
    expect(checkedFiles).toBeGreaterThanOrEqual(5);
  });
});

describe("edge cases, in git's own output", () => {
  let repo: string;
  let files: Map<string, DiffFile>;
  let diff: string;
  const lines = (n: number, word = "line") => Array.from({ length: n }, (_, i) => `${word} ${i + 1}\n`).join("");

  beforeAll(() => {
    repo = path.join(scratch, "edges");
    mkdirSync(repo);
    git(repo, "init", "-q", "-b", "main");
    write(repo, "no-newline.txt", "one\ntwo");
    write(repo, "gains-newline.txt", "alpha\nbeta");
    write(repo, "loses-newline.txt", "alpha\nbeta\n");
    write(repo, "deleted.txt", lines(4));
    write(repo, "old-name.ts", lines(40));
    write(repo, "top.txt", lines(20));
    write(repo, "image.bin", Buffer.from([0, 1, 2, 3, 255, 0, 10, 0]));
    write(repo, "windows.txt", "first\r\nsecond\r\nthird\r\n");
    write(repo, "one-line.txt", "only\n");
    write(repo, "script.sh", "echo hi\n");
    write(repo, "with space.txt", "a\nb\n");
    write(repo, "schema.sql", "-- users\ncreate table users (id int);\n++ not sql\n");
    write(repo, "caf\u00e9.txt", "cr\u00e8me\n");
    const body = Array.from({ length: 12 }, (_, i) => `  const v${i} = ${i};\n`).join("");
    write(repo, "context.js", `// header\n\nfunction foo(a) {\n${body}  return a;\n}\n`);
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "base");

    write(repo, "no-newline.txt", "one\nTWO");
    write(repo, "gains-newline.txt", "alpha\nbeta\n");
    write(repo, "loses-newline.txt", "alpha\nbeta");
    rmSync(path.join(repo, "deleted.txt"));
    rmSync(path.join(repo, "old-name.ts"));
    write(repo, "new-name.ts", lines(40).replace("line 20\n", "line twenty\n"));
    write(repo, "top.txt", `line 0\n${lines(20).replace("line 1\n", "LINE 1\n")}`);
    write(repo, "added.txt", lines(3, "fresh"));
    write(repo, "empty.txt", "");
    write(repo, "copy.js", readFileSync(path.join(repo, "context.js"), "utf8").replace("// header", "// copied"));
    write(repo, "image.bin", Buffer.from([0, 1, 2, 4, 255, 0, 10, 0]));
    write(repo, "windows.txt", "first\r\nSECOND\r\nthird\r\n");
    write(repo, "one-line.txt", "changed\n");
    execFileSync("chmod", ["+x", path.join(repo, "script.sh")]);
    write(repo, "with space.txt", "a\nB\n");
    write(repo, "schema.sql", "create table users (id bigint);\n");
    write(repo, "caf\u00e9.txt", "cr\u00e8me br\u00fbl\u00e9e\n");
    write(repo, "context.js", `// header\n\nfunction foo(a) {\n${body.replace("v9 = 9", "v9 = 90")}  return a;\n}\n`);
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "change");
    diff = git(repo, "diff", "-M", "HEAD~1", "HEAD");
    files = new Map(parseGitDiff(diff).map((f) => [f.path, f]));
  });

  const file = (p: string) => {
    const found = files.get(p);
    if (!found) throw new Error(`${p} is not in the diff: ${[...files.keys()].join(", ")}`);
    return found;
  };
  const contentAt = (rev: string, p: string) => readBlobs(repo, [`${rev}:${p}`])[0] ?? null;

  it("maps every line of every file to the real contents, and reads each file the same from GitHub's patch", () => {
    const raws = rawPatches(diff);
    [...files.values()].forEach((f, i) => {
      expectSameAsPullRequestFile(f, raws[i]!);
      if (f.binary) return;
      expectMatchesContent(
        f,
        f.status === "added" ? null : contentAt("HEAD~1", f.previousPath ?? f.path),
        f.status === "removed" ? null : contentAt("HEAD", f.path),
      );
    });
  });

  it("no newline at end of file: the marker belongs to the line before it, on its own side", () => {
    const changed = file("no-newline.txt");
    expect(changed.hunks[0]!.lines.map((l) => [l.kind, l.text, l.noNewline])).toEqual([
      ["context", "one", false],
      ["del", "two", true],
      ["add", "TWO", true],
    ]);
    expect(
      file("gains-newline.txt")
        .hunks[0]!.lines.filter((l) => l.noNewline)
        .map((l) => l.kind),
    ).toEqual(["del"]);
    expect(
      file("loses-newline.txt")
        .hunks[0]!.lines.filter((l) => l.noNewline)
        .map((l) => l.kind),
    ).toEqual(["add"]);
    // GitHub's patch ends with the marker and no newline: the last hunk still closes.
    const patch = rawPatches(diff)[[...files.keys()].indexOf("no-newline.txt")]!;
    expect(patch.endsWith("\n\\ No newline at end of file")).toBe(true);
    expect(parsePatch(patch)[0]!.lines.map((l) => l.noNewline)).toEqual([false, true, true]);
  });

  it("a file added: only RIGHT lines, numbered from 1", () => {
    const added = file("added.txt");
    expect(added.status).toBe("added");
    expect(added.hunks[0]!.header).toBe("@@ -0,0 +1,3 @@");
    const map = new FileLineMap(added);
    expect(map.lines("RIGHT")).toEqual([1, 2, 3]);
    expect(map.lines("LEFT")).toEqual([]);
  });

  it("a file deleted: only LEFT lines, under its old path", () => {
    const deleted = file("deleted.txt");
    expect(deleted.status).toBe("removed");
    expect(deleted.previousPath).toBeNull();
    const map = DiffLineMap.from([deleted]);
    expect(map.file("deleted.txt")!.lines("LEFT")).toEqual([1, 2, 3, 4]);
    expect(map.canComment("deleted.txt", "RIGHT", 1)).toBe(false);
    expect(map.nearestCommentable("deleted.txt", 2)).toBeNull();
    expect(map.nearestCommentable("deleted.txt", 2, "LEFT")).toEqual({ path: "deleted.txt", side: "LEFT", line: 2, distance: 0 });
  });

  it("a rename with changes: the new path, the old one kept, LEFT numbers from the old file", () => {
    const renamed = file("new-name.ts");
    expect([renamed.status, renamed.previousPath]).toEqual(["renamed", "old-name.ts"]);
    expect(renamed.hunks[0]!.header).toBe("@@ -17,7 +17,7 @@ line 16");
    const map = new FileLineMap(renamed);
    expect(map.lines("LEFT")).toEqual([17, 18, 19, 20, 21, 22, 23]);
    expect(map.newText(20, 20)).toEqual(["line twenty"]);
    expect(describeFile(summarizeFile(renamed))).toBe("new-name.ts (renamed from old-name.ts) +1 -1 in 1 hunk: line 16");
  });

  it("a hunk at line 1", () => {
    const top = file("top.txt");
    expect(top.hunks[0]!.header).toBe("@@ -1,4 +1,5 @@");
    expect(top.hunks[0]!.lines.slice(0, 4).map((l) => [l.kind, l.oldLine, l.newLine])).toEqual([
      ["del", 1, null],
      ["add", null, 1],
      ["add", null, 2],
      ["context", 2, 3],
    ]);
  });

  it("a binary file: in the diff, with nothing to comment on", () => {
    const binary = file("image.bin");
    expect([binary.binary, binary.hunks.length, binary.status]).toEqual([true, 0, "modified"]);
    const map = DiffLineMap.from([binary]);
    expect(map.canComment("image.bin", "RIGHT", 1)).toBe(false);
    expect(map.nearestCommentable("image.bin", 1)).toBeNull();
    expect(summarizeFile(binary).unreviewable).toBe("binary");
  });

  it("CRLF content: the CR stays in the line, as in the file split at LF", () => {
    const crlf = file("windows.txt");
    expect(crlf.hunks[0]!.lines.map((l) => l.text)).toEqual(["first\r", "second\r", "SECOND\r", "third\r"]);
    expect(new FileLineMap(crlf).newText(2, 2)).toEqual(["SECOND\r"]);
  });

  it("a hunk header with a function context", () => {
    const hunk = file("context.js").hunks[0]!;
    expect(hunk.header).toBe("@@ -10,7 +10,7 @@ function foo(a) {");
    expect(hunk.section).toBe("function foo(a) {");
    expect(summarizeFile(file("context.js")).sections).toEqual(["function foo(a) {"]);
  });

  it("single-line ranges: `@@ -1 +1 @@`, and `@@ -3 +3 @@` from --unified=0", () => {
    const single = file("one-line.txt").hunks[0]!;
    expect([single.header, single.oldLines, single.newLines]).toEqual(["@@ -1 +1 @@", 1, 1]);
    const zero = parseGitDiff(git(repo, "diff", "-M", "--unified=0", "HEAD~1", "HEAD", "--", "old-name.ts", "new-name.ts"))[0]!;
    expect(zero.hunks.map((h) => h.header)).toEqual(["@@ -20 +20 @@ line 19"]);
    expect(new FileLineMap(zero).lines("RIGHT")).toEqual([20]);
    const three = parsePatch("@@ -3 +3 @@\n-c\n+C");
    expect(three[0]!.lines.map((l) => [l.oldLine, l.newLine])).toEqual([
      [3, null],
      [null, 3],
    ]);
  });

  it("lines inside a hunk that look like file headers stay lines", () => {
    const sql = file("schema.sql");
    expect(rawPatches(diff)[[...files.keys()].indexOf("schema.sql")]).toContain("\n--- users\n");
    expect(sql.hunks[0]!.lines.map((l) => [l.kind, l.text])).toEqual([
      ["del", "-- users"],
      ["del", "create table users (id int);"],
      ["del", "++ not sql"],
      ["add", "create table users (id bigint);"],
    ]);
  });

  it("a mode change, a path with a space and a quoted non-ASCII path", () => {
    const script = file("script.sh");
    expect([script.oldMode, script.newMode, script.hunks.length]).toEqual(["100644", "100755", 0]);
    expect(describeFile(summarizeFile(script))).toBe("script.sh (mode 100644 -> 100755) +0 -0");
    expect(diff).toContain('diff --git "a/caf\\303\\251.txt" "b/caf\\303\\251.txt"');
    expect(file("caf\u00e9.txt").hunks[0]!.lines.map((l) => l.text)).toEqual(["cr\u00e8me", "cr\u00e8me br\u00fbl\u00e9e"]);
    expect(diff).toContain("+++ b/with space.txt\t\n");
    expect(file("with space.txt").additions).toBe(1);
  });

  it("an empty file added, and a copy found with -C", () => {
    expect([file("empty.txt").status, file("empty.txt").hunks.length, file("empty.txt").newMode]).toEqual(["added", 0, "100644"]);
    const copies = parseGitDiff(git(repo, "diff", "-C", "-C", "HEAD~1", "HEAD", "--", "copy.js", "context.js"));
    const copy = copies.find((f) => f.path === "copy.js")!;
    expect([copy.status, copy.previousPath]).toEqual(["copied", "context.js"]);
    expectMatchesContent(copy, contentAt("HEAD~1", "context.js"), contentAt("HEAD", "copy.js"));
  });

  it("refuses a merge commit's combined diff", () => {
    const merge = [
      "diff --cc file.txt",
      "index 1111111,2222222..3333333",
      "--- a/file.txt",
      "+++ b/file.txt",
      "@@@ -1,1 -1,1 +1,1 @@@",
      "- a",
      " -b",
      "++c",
    ].join("\n");
    expect(() => parseGitDiff(merge)).toThrow(expect.objectContaining({ reason: "combined-diff", patchLine: 1 }));
  });

  it("paths from --no-prefix output", () => {
    const parsed = parseGitDiff(git(repo, "diff", "--no-prefix", "-M", "HEAD~1", "HEAD"), { srcPrefix: "", dstPrefix: "" });
    expect(parsed.map((f) => f.path).sort()).toEqual([...files.keys()].sort());
  });
});

describe("the line map", () => {
  // Two hunks: new lines 1-4 and 20-25, old lines 1-3 and 19-25.
  const patch = [
    "@@ -1,3 +1,4 @@ intro",
    " a",
    "+b",
    " c",
    " d",
    "@@ -19,7 +20,6 @@ function foo() {",
    " s",
    " t",
    "-u",
    "-v",
    "+V",
    " w",
    " x",
    " y",
  ].join("\n");
  const map = DiffLineMap.from([parsePullRequestFile({ path: "src/a.ts", status: "modified", patch })]);

  it("allows added and context lines on the RIGHT, deleted and context lines on the LEFT", () => {
    expect(map.file("src/a.ts")!.lines("RIGHT")).toEqual([1, 2, 3, 4, 20, 21, 22, 23, 24, 25]);
    expect(map.file("src/a.ts")!.lines("LEFT")).toEqual([1, 2, 3, 19, 20, 21, 22, 23, 24, 25]);
    expect(map.canComment("src/a.ts", "RIGHT", 2)).toBe(true);
    expect(map.canComment("src/a.ts", "RIGHT", 5)).toBe(false);
    expect(map.canComment("src/a.ts", "LEFT", 21)).toBe(true);
    expect(map.canComment("src/b.ts", "RIGHT", 1)).toBe(false);
  });

  it("allows a range only within one hunk", () => {
    expect(map.canCommentRange("src/a.ts", "RIGHT", 20, 25)).toBe(true);
    expect(map.canCommentRange("src/a.ts", "RIGHT", 3, 21)).toBe(false);
    expect(map.canCommentRange("src/a.ts", "RIGHT", 4, 3)).toBe(false);
    expect(map.canCommentRange("src/a.ts", "LEFT", 21, 22)).toBe(true);
  });

  it("finds the nearest commentable line, the earlier one on a tie", () => {
    expect(map.nearestCommentable("src/a.ts", 22)).toEqual({ path: "src/a.ts", side: "RIGHT", line: 22, distance: 0 });
    expect(map.nearestCommentable("src/a.ts", 6)).toEqual({ path: "src/a.ts", side: "RIGHT", line: 4, distance: 2 });
    expect(map.nearestCommentable("src/a.ts", 18)).toEqual({ path: "src/a.ts", side: "RIGHT", line: 20, distance: 2 });
    expect(map.nearestCommentable("src/a.ts", 12)).toEqual({ path: "src/a.ts", side: "RIGHT", line: 4, distance: 8 });
    expect(map.nearestCommentable("src/a.ts", 500)).toEqual({ path: "src/a.ts", side: "RIGHT", line: 25, distance: 475 });
    expect(map.nearestCommentable("src/missing.ts", 1)).toBeNull();
  });

  it("gives the new-side text of a commentable range, and nothing for a range across hunks", () => {
    expect(map.newSideText("src/a.ts", 21, 23)).toEqual(["t", "V", "w"]);
    expect(map.newSideText("src/a.ts", 4, 20)).toBeNull();
  });

  it("counts GitHub positions from the first hunk header, through later headers", () => {
    const file = map.file("src/a.ts")!.file;
    expect(file.hunks[0]!.lines.map((l) => l.position)).toEqual([1, 2, 3, 4]);
    expect(file.hunks[1]!.lines.map((l) => l.position)).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it("numbers lines for the prompt", () => {
    expect(numberedPatch(map.file("src/a.ts")!.file).split("\n").slice(7, 11)).toEqual([" 21   t", "L21 - u", "L22 - v", " 22 + V"]);
  });
});

describe("GitHub's per-file patch", () => {
  it("has no lines when GitHub leaves the patch out, and says why when lines changed", () => {
    const large = parsePullRequestFile({ path: "dist/bundle.js", status: "modified", additions: 40_000, deletions: 2 });
    expect([large.hunks.length, large.patchOmitted]).toEqual([0, true]);
    expect(describeFile(summarizeFile(large))).toBe("dist/bundle.js +40000 -2 (diff too large to show)");
    const pureRename = parsePullRequestFile({ path: "b.txt", previousPath: "a.txt", status: "renamed", additions: 0, deletions: 0 });
    expect([pureRename.patchOmitted, pureRename.previousPath, pureRename.status]).toEqual([false, "a.txt", "renamed"]);
    expect(parsePullRequestFile({ path: "run.sh", status: "changed" }).status).toBe("modified");
  });

  it("refuses the example patch of GitHub's own OpenAPI description, which is no diff", () => {
    const spec = JSON.parse(readFileSync(githubOpenApiPath, "utf8")) as {
      components: { schemas: Record<string, { properties: Record<string, { example?: unknown }> }> };
    };
    const example = spec.components.schemas["diff-entry"]!.properties.patch!.example as string;
    expect(example).toBe("@@ -132,7 +132,7 @@ module Test @@ -1000,7 +1000,7 @@ module Test");
    expect(() => parsePatch(example, "file1.txt")).toThrow(expect.objectContaining({ reason: "truncated-hunk" }));
  });

  it("reads an empty context line whose space was stripped", () => {
    const [hunk] = parsePatch("@@ -1,3 +1,3 @@\n a\n\n-c\n+C");
    expect(hunk!.lines.map((l) => [l.kind, l.text, l.oldLine, l.newLine])).toEqual([
      ["context", "a", 1, 1],
      ["context", "", 2, 2],
      ["del", "c", 3, null],
      ["add", "C", null, 3],
    ]);
  });

  it("refuses what is not a unified diff, with a reason and the patch line", () => {
    const reasonOf = (patch: string) => {
      try {
        parsePatch(patch, "x.ts");
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(DiffParseError);
        return [(error as DiffParseError).reason, (error as DiffParseError).patchLine];
      }
    };
    expect(reasonOf("@@ -1,3 +1,3 @@\n a\n-b")).toEqual(["truncated-hunk", 3]);
    expect(reasonOf("@@ -1 +1 @@ \n-a\n+b\n+c")).toEqual(["unexpected-line", 4]);
    expect(reasonOf("@@ -1,2 +1,2 @@\n a\n*b\n")).toEqual(["bad-hunk-line", 3]);
    expect(reasonOf("@@@ -1,2 -1,2 +1,2 @@@\n  a")).toEqual(["combined-diff", 1]);
    expect(reasonOf("@@ -1,x +1 @@\n a")).toEqual(["bad-hunk-header", 1]);
    expect(reasonOf("hello")).toEqual(["unexpected-line", 1]);
    expect(parsePatch("")).toEqual([]);
  });
});
