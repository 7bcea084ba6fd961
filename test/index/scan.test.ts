import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatedByHeader } from "../../src/index/scan/generated.js";
import { detectLanguage, shebangInterpreter, unknownPreferredLanguages } from "../../src/index/scan/language.js";
import { minifiedBecause } from "../../src/index/scan/minified.js";
import { scanRepository } from "../../src/index/scan/scan-repository.js";
import { summarizeSkipped } from "../../src/index/scan/skip-summary.js";
import { ScanError } from "../../src/index/scan/tracked-files.js";
import type { ScanResult, SkippedFile } from "../../src/index/types.js";

const projectRoot = path.resolve(import.meta.dirname, "../..");
const fromProject = (relative: string) => path.join(projectRoot, relative);
const identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"];

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", [...identity, ...args], { cwd, encoding: "utf8" });
}

function write(root: string, relative: string, content: string | Buffer): void {
  const absolute = path.join(root, relative);
  mkdirSync(path.dirname(absolute), { recursive: true });
  writeFileSync(absolute, content);
}

function copy(root: string, relative: string, source: string): void {
  mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  copyFileSync(fromProject(source), path.join(root, relative));
}

/** A real Python module from Debian's standard library (python3 is on every machine here). */
function pythonTextwrap(): string {
  const version = readdirSync("/usr/lib").find(
    (name) => /^python3\.\d+$/.test(name) && existsSync(path.join("/usr/lib", name, "textwrap.py")),
  );
  if (!version) throw new Error("no /usr/lib/python3.*/textwrap.py: install python3 (Debian: apt-get install python3)");
  return path.join("/usr/lib", version, "textwrap.py");
}

const skippedAs = (result: ScanResult) => new Map(result.skipped.map((file): [string, SkippedFile] => [file.path, file]));

/** Ordinary code whose one line of inlined data is long and dense: not minified as a whole. */
function sourceWithInlinedIcon(): string {
  const icon = Buffer.from(readFileSync(fromProject("node_modules/web-tree-sitter/tree-sitter.wasm")).subarray(0, 4000)).toString("base64");
  const code = Array.from(
    { length: 150 },
    (_, i) => `export function handler${i}(event: { id: number }): number {\n  return event.id + ${i};\n}\n`,
  );
  return [`export const ICON = "data:image/png;base64,${icon}";`, ...code].join("\n");
}

describe("scanRepository on a real git repository", () => {
  let base: string;
  let repo: string;
  let result: ScanResult;

  beforeAll(async () => {
    base = realpathSync(mkdtempSync(path.join(tmpdir(), "scan-")));
    repo = path.join(base, "repo");
    mkdirSync(repo);
    git(repo, "init", "-q", "-b", "main");

    // Kept: code, docs, config, and names that need the language table.
    copy(repo, "src/app.ts", "node_modules/zod/src/v4/core/util.ts");
    copyFileSync(pythonTextwrap(), path.join(repo, "src/textwrap.py"));
    write(repo, "src/naïve café.ts", "export const café = 1;\n");
    write(repo, "src/icons.ts", sourceWithInlinedIcon());
    write(repo, "include/widget.h", "#include <vector>\n\nclass Widget {\npublic:\n  std::vector<int> parts;\n};\n");
    write(repo, "include/plain.h", "#ifndef PLAIN_H\n#define PLAIN_H\nint add(int a, int b);\n#endif\n");
    write(repo, "bin/tool", "#!/usr/bin/env python3\nimport sys\nprint(sys.argv)\n");
    write(repo, "Makefile", "all:\n\techo ok\n");
    copy(repo, "README.md", "node_modules/commander/Readme.md");
    // Prose kept one paragraph to a line is long but not dense.
    write(
      repo,
      "docs/guide.md",
      `# Guide\n\n${"The scanner reads every file that git tracks and decides whether it is worth indexing. ".repeat(40)}\n`,
    );
    write(repo, ".gitignore", "build/\n*.log\n");

    // Ignored by .gitignore: never tracked, so in neither list.
    write(repo, "build/out.js", "console.log('built');\n");
    write(repo, "debug.log", "a log\n");

    // Vendored.
    write(repo, "node_modules/left-pad/index.js", "module.exports = (s, n) => s.padStart(n);\n");
    write(repo, "vendor/github.com/pkg/errors/errors.go", "package errors\n");
    write(repo, "third_party/zlib/zlib.h", "int inflate(void);\n");
    write(repo, ".yarn/releases/yarn-4.1.0.cjs", "module.exports = {};\n");

    // Generated, by name and by header.
    write(repo, "package-lock.json", '{ "name": "demo", "lockfileVersion": 3, "packages": {} }\n');
    write(repo, "web/yarn.lock", "# yarn lockfile v1\n");
    write(repo, "go.sum", "github.com/pkg/errors v0.9.1 h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\n");
    write(repo, "web/app.js.map", '{"version":3,"sources":["app.ts"],"mappings":"AAAA"}\n');
    write(repo, "api/service.pb.go", "package api\n");
    write(repo, "src/client.ts", "// Code generated by openapi-typescript. DO NOT EDIT.\nexport interface Paths {}\n");
    write(repo, "src/relay.ts", "/**\n * @generated SignedSource<<2a5f>>\n */\nexport type Query = {};\n");
    write(repo, "requirements.txt", "#\n# This file is autogenerated by pip-compile with Python 3.11\n#\nzod==1.0\n");

    // Minified: a real bundle by its name, and a real bundle under an ordinary name.
    copy(repo, "web/nacl.min.js", "node_modules/tweetnacl/nacl.min.js");
    copy(repo, "dist/bundle.js", "node_modules/protobufjs/dist/protobuf.min.js");

    // Binary: real WebAssembly and a real native addon by extension, and the same bytes without one.
    copy(repo, "assets/tree-sitter.wasm", "node_modules/web-tree-sitter/tree-sitter.wasm");
    copy(repo, "native/test_extension.node", "node_modules/better-sqlite3/build/Release/test_extension.node");
    copy(repo, "data/grammar", "node_modules/tree-sitter-wasms/out/tree-sitter-go.wasm");

    // Too large for the default 1 MiB cap.
    write(repo, "src/huge.ts", Array.from({ length: 40_000 }, (_, i) => `export const value${i} = ${i};`).join("\n"));

    // Unreadable: a dangling symbolic link, and a file deleted after it was committed.
    symlinkSync("does-not-exist.ts", path.join(repo, "src/broken.ts"));
    write(repo, "src/deleted.ts", "export const gone = true;\n");
    // Links are not followed: one inside the repository, one out of it.
    symlinkSync("app.ts", path.join(repo, "src/app-link.ts"));
    symlinkSync("/etc/passwd", path.join(repo, "src/passwd"));

    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "initial");
    // A submodule entry (a gitlink) points at a commit, not at a file.
    const commit = git(repo, "rev-parse", "HEAD").trim();
    git(repo, "update-index", "--add", "--cacheinfo", `160000,${commit},libs/sub`);
    git(repo, "commit", "-q", "-m", "submodule");
    rmSync(path.join(repo, "src/deleted.ts"));
    result = await scanRepository(repo);
  });

  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
  });

  it("keeps the code, with languages and sizes", () => {
    const kept = Object.fromEntries(result.files.map((file) => [file.path, file.language]));
    expect(kept).toEqual({
      ".gitignore": "Ignore List",
      Makefile: "Makefile",
      "README.md": "Markdown",
      "bin/tool": "Python",
      "docs/guide.md": "Markdown",
      "include/plain.h": "C",
      "include/widget.h": "C++",
      "src/app.ts": "TypeScript",
      "src/icons.ts": "TypeScript",
      "src/naïve café.ts": "TypeScript",
      "src/textwrap.py": "Python",
    });
    for (const file of result.files) expect(file.size).toBe(readFileSync(path.join(repo, file.path)).length);
  });

  it("leaves out what .gitignore ignores, from both lists", () => {
    const all = [...result.files.map((f) => f.path), ...result.skipped.map((f) => f.path)];
    expect(all).not.toContain("build/out.js");
    expect(all).not.toContain("debug.log");
  });

  it("skips each other file with its reason", () => {
    const skipped = skippedAs(result);
    const reasons = Object.fromEntries([...skipped].map(([file, skip]) => [file, skip.reason]));
    expect(reasons).toEqual({
      "node_modules/left-pad/index.js": "vendored",
      "vendor/github.com/pkg/errors/errors.go": "vendored",
      "third_party/zlib/zlib.h": "vendored",
      ".yarn/releases/yarn-4.1.0.cjs": "vendored",
      "package-lock.json": "generated",
      "web/yarn.lock": "generated",
      "go.sum": "generated",
      "web/app.js.map": "generated",
      "api/service.pb.go": "generated",
      "src/client.ts": "generated",
      "src/relay.ts": "generated",
      "requirements.txt": "generated",
      "web/nacl.min.js": "minified",
      "dist/bundle.js": "minified",
      "assets/tree-sitter.wasm": "binary",
      "native/test_extension.node": "binary",
      "data/grammar": "binary",
      "src/huge.ts": "too-large",
      "src/broken.ts": "unreadable",
      "src/deleted.ts": "unreadable",
      "src/app-link.ts": "excluded",
      "src/passwd": "excluded",
      "libs/sub": "excluded",
    });
    const detail = (file: string) => skipped.get(file)?.detail;
    expect(detail("node_modules/left-pad/index.js")).toBe("under node_modules/");
    expect(detail("package-lock.json")).toBe("lock file");
    expect(detail("web/app.js.map")).toBe("source map");
    expect(detail("src/client.ts")).toBe('header says "generated, do not edit"');
    expect(detail("src/relay.ts")).toBe('header says "@generated"');
    expect(detail("requirements.txt")).toBe('header says "autogenerated"');
    expect(detail("web/nacl.min.js")).toBe("named .min");
    expect(detail("dist/bundle.js")).toMatch(/^\d+% of characters on lines over 1,000 characters$/);
    expect(detail("assets/tree-sitter.wasm")).toBe(".wasm file");
    expect(detail("data/grammar")).toBe("NUL byte in the first 8 kB");
    expect(detail("src/huge.ts")).toMatch(/MB, over the 1 MB cap$/);
    expect(detail("src/broken.ts")).toMatch(/^dangling symbolic link \(missing from the work tree \(ENOENT\)\)$/);
    expect(detail("src/deleted.ts")).toBe("missing from the work tree (ENOENT)");
    expect(detail("src/passwd")).toBe("symbolic link to outside the repository");
    expect(detail("src/app-link.ts")).toBe("symbolic link (its target is scanned on its own)");
    expect(detail("libs/sub")).toBe("submodule");
  });

  it("summarizes what it skipped", () => {
    expect(summarizeSkipped(result.skipped)).toBe(
      "skipped 23 files: 8 generated, 4 vendored, 3 excluded, 3 binary, 2 minified, 2 unreadable, 1 too large",
    );
    expect(summarizeSkipped([])).toBe("skipped no files");
    expect(summarizeSkipped([{ path: "a.png", reason: "binary" }])).toBe("skipped 1 file: 1 binary");
  });

  it("applies include and exclude globs", async () => {
    const narrowed = await scanRepository(repo, { include: ["src/**", "include"], exclude: ["*.py", "include/plain.h"] });
    expect(narrowed.files.map((f) => f.path).sort()).toEqual(["include/widget.h", "src/app.ts", "src/icons.ts", "src/naïve café.ts"]);
    const skipped = skippedAs(narrowed);
    expect(skipped.get("src/textwrap.py")).toEqual({ path: "src/textwrap.py", reason: "excluded", detail: 'matched exclude "*.py"' });
    expect(skipped.get("include/plain.h")?.detail).toBe('matched exclude "include/plain.h"');
    expect(skipped.get("README.md")).toEqual({ path: "README.md", reason: "excluded", detail: "not matched by include" });
    expect(skipped.get("node_modules/left-pad/index.js")?.reason).toBe("excluded");
    // Other reasons still apply inside the included paths.
    expect(skipped.get("src/huge.ts")?.reason).toBe("too-large");

    const withoutDocs = await scanRepository(repo, { exclude: ["docs/"] });
    expect(skippedAs(withoutDocs).get("docs/guide.md")?.detail).toBe('matched exclude "docs/"');
    expect(withoutDocs.files.map((f) => f.path)).not.toContain("docs/guide.md");
  });

  it("honours a smaller size cap", async () => {
    const small = await scanRepository(repo, { include: ["src/app.ts", "bin/*"], maxFileBytes: 1000 });
    expect(small.files.map((f) => f.path)).toEqual(["bin/tool"]);
    expect(skippedAs(small).get("src/app.ts")?.reason).toBe("too-large");
  });

  it("refuses a directory that is not a work tree", async () => {
    const error = await scanRepository(base).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ScanError);
    expect((error as ScanError).reason).toBe("not-a-repository");
  });
});

describe("scanRepository on this project", () => {
  it("keeps its own TypeScript and skips its lock file", async () => {
    const result = await scanRepository(projectRoot);
    const kept = new Map(result.files.map((file) => [file.path, file.language]));
    expect(skippedAs(result).get("package-lock.json")?.reason).toBe("generated");
    expect(kept.get("package.json")).toBe("JSON");
    const tracked = execFileSync("git", ["ls-files", "-z", "src"], { cwd: projectRoot, encoding: "utf8" })
      .split("\0")
      .filter((f) => f.endsWith(".ts"));
    expect(tracked.length).toBeGreaterThan(10);
    for (const file of tracked) expect(kept.get(file), file).toBe("TypeScript");
  });

  it("does not mistake the scanner's own files for generated or minified ones", () => {
    const own = [
      ...readdirSync(fromProject("src/index/scan")).map((f) => `src/index/scan/${f}`),
      ...readdirSync(fromProject("src/index/chunk")).map((f) => `src/index/chunk/${f}`),
      "test/index/scan.test.ts",
      "test/index/chunk.test.ts",
    ];
    for (const file of own) {
      const text = readFileSync(fromProject(file), "utf8");
      expect(generatedByHeader(text), file).toBeNull();
      expect(minifiedBecause(text), file).toBeNull();
    }
  });
});

describe("detectLanguage", () => {
  it("knows every language its tie-break order names", () => {
    expect(unknownPreferredLanguages()).toEqual([]);
  });

  it.each([
    ["src/index.ts", "TypeScript"],
    ["src/types.d.ts", "TypeScript"],
    ["lib/module.mts", "TypeScript"],
    ["web/App.tsx", "TSX"],
    ["web/app.jsx", "JavaScript"],
    ["bin/cli.mjs", "JavaScript"],
    ["app/main.py", "Python"],
    ["cmd/server/main.go", "Go"],
    ["src/lib.rs", "Rust"],
    ["src/Main.java", "Java"],
    ["src/sqlite3.c", "C"],
    ["src/database.cpp", "C++"],
    ["src/database.hpp", "C++"],
    ["src/legacy.cc", "C++"],
    ["include/config.h.in", "C"],
    ["README.md", "Markdown"],
    ["docs/index.html", "HTML"],
    ["package.json", "JSON"],
    [".github/workflows/ci.yml", "YAML"],
    ["Cargo.toml", "TOML"],
    ["App.kt", "Kotlin"],
    ["Main.cs", "C#"],
    ["View.m", "Objective-C"],
    ["script.pl", "Perl"],
    ["shader.frag", "GLSL"],
    ["notes.txt", "Text"],
    ["data.unknownext", null],
  ])("by extension: %s → %s", (file, language) => {
    expect(detectLanguage(file)).toBe(language);
  });

  it.each([
    ["Makefile", "Makefile"],
    ["src/GNUmakefile", "Makefile"],
    ["Dockerfile", "Dockerfile"],
    ["docker/Dockerfile.dev", "Dockerfile"],
    ["Containerfile", "Dockerfile"],
    ["Gemfile", "Ruby"],
    ["Rakefile", "Ruby"],
    ["CMakeLists.txt", "CMake"],
    [".bashrc", "Shell"],
    ["PKGBUILD", "Shell"],
    ["go.mod", "Go Module"],
    ["LICENSE", "Text"],
  ])("by file name: %s → %s", (file, language) => {
    expect(detectLanguage(file)).toBe(language);
  });

  it.each([
    ["#!/usr/bin/env python3\nimport os\n", "Python"],
    ["#!/usr/bin/python3.11\n", "Python"],
    ["#!/bin/bash\nset -e\n", "Shell"],
    ["#!/bin/sh\n", "Shell"],
    ["#!/usr/bin/env -S node --no-warnings\n", "JavaScript"],
    ["#!/usr/bin/env ruby\n", "Ruby"],
    ["#!/usr/bin/env perl -w\n", "Perl"],
    ["#!/usr/bin/env VAR=1 deno run\n", "JavaScript"],
    ["#!/usr/bin/env ts-node\n", "TypeScript"],
    ["#!/usr/bin/env nonesuch\n", null],
    ["no shebang here\n", null],
  ])("by shebang: %j → %s", (head, language) => {
    expect(detectLanguage("bin/tool", head)).toBe(language);
  });

  it("lets the extension win over the shebang, and the shebang narrow an ambiguous extension", () => {
    expect(detectLanguage("scripts/build.ts", "#!/usr/bin/env node\n")).toBe("TypeScript");
    expect(detectLanguage("cgi-bin/form.cgi", "#!/usr/bin/perl\n")).toBe("Perl");
    expect(detectLanguage("cgi-bin/form.cgi", "#!/bin/sh\n")).toBe("Shell");
  });

  it("settles .h by content: C unless marked as C++ or Objective-C", () => {
    expect(detectLanguage("x.h")).toBe("C");
    expect(detectLanguage("x.h", "#include <stdio.h>\nint add(int, int);\n")).toBe("C");
    expect(detectLanguage("x.h", "#pragma once\nnamespace app {\nint add(int, int);\n}\n")).toBe("C++");
    expect(detectLanguage("x.h", "template <typename T>\nT max(T a, T b);\n")).toBe("C++");
    expect(detectLanguage("x.h", "#include <string>\n")).toBe("C++");
    expect(detectLanguage("x.h", "#import <Foundation/Foundation.h>\n@interface View : NSObject\n@end\n")).toBe("Objective-C");
  });

  it("reads interpreters from shebang lines", () => {
    expect(shebangInterpreter("#!/usr/bin/env -S node --flag\n")).toBe("node");
    expect(shebangInterpreter("#! /usr/local/bin/python3.12 -u\n")).toBe("python3.12");
    expect(shebangInterpreter("#!\n")).toBeNull();
    expect(shebangInterpreter("# comment\n")).toBeNull();
  });
});
