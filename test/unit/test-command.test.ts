import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { detectTestCommand } from "../../src/workspace/test-command.js";

const dirs: string[] = [];

function repoWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "test-command-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

const npmDefault = JSON.stringify({ name: "x", scripts: { test: 'echo "Error: no test specified" && exit 1' } });

describe("detectTestCommand", () => {
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it.each<[string, Record<string, string>, string | null]>([
    ["package.json with a test script", { "package.json": JSON.stringify({ scripts: { test: "vitest run" } }) }, "npm test"],
    ["package.json with npm's default placeholder", { "package.json": npmDefault }, null],
    ["package.json without scripts", { "package.json": JSON.stringify({ name: "x" }) }, null],
    ["package.json with other scripts only", { "package.json": JSON.stringify({ scripts: { build: "tsc" } }) }, null],
    ["pyproject.toml", { "pyproject.toml": "[project]\nname = 'x'\n" }, "python3 -m pytest -q"],
    ["pytest.ini", { "pytest.ini": "[pytest]\n" }, "python3 -m pytest -q"],
    ["go.mod", { "go.mod": "module example.com/x\n\ngo 1.22\n" }, "go test ./..."],
    ["Cargo.toml", { "Cargo.toml": '[package]\nname = "x"\n' }, "cargo test"],
    ["a Makefile with a test target", { Makefile: "build:\n\tcc main.c\n\ntest: build\n\t./run-tests\n" }, "make test"],
    ["a Makefile with a double-colon test rule", { Makefile: "test::\n\t./t\n" }, "make test"],
    ["a Makefile without a test target", { Makefile: "build:\n\tcc main.c\n# test: not a target\nlatest:\n\ttrue\n" }, null],
    ["nothing", { "README.md": "# x\n" }, null],
  ])("%s", async (_label, files, expected) => {
    expect(await detectTestCommand(repoWith(files))).toBe(expected);
  });

  it("falls through to another build system when package.json has no real test script", async () => {
    expect(await detectTestCommand(repoWith({ "package.json": npmDefault, "go.mod": "module x\n" }))).toBe("go test ./...");
  });

  it("falls through when package.json is not valid JSON", async () => {
    expect(await detectTestCommand(repoWith({ "package.json": "{ not json", Makefile: "test:\n\ttrue\n" }))).toBe("make test");
  });

  it("prefers npm test over the other build files", async () => {
    expect(
      await detectTestCommand(
        repoWith({ "package.json": JSON.stringify({ scripts: { test: "jest" } }), "pyproject.toml": "", Makefile: "test:\n" }),
      ),
    ).toBe("npm test");
  });

  it("gives null for a directory that does not exist", async () => {
    expect(await detectTestCommand(path.join(tmpdir(), "no-such-dir-for-test-command"))).toBeNull();
  });
});
