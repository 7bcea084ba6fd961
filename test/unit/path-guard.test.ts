import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PathError, PathGuard } from "../../src/safety/path-guard.js";

const identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"];

async function refusal(promise: Promise<unknown>): Promise<PathError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a refusal, got ${String(value)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PathError);
  return error as PathError;
}

describe("PathGuard", () => {
  let base: string;
  let root: string;
  let outside: string;
  let guard: PathGuard;

  beforeAll(() => {
    base = realpathSync(mkdtempSync(path.join(tmpdir(), "path-guard-")));
    root = path.join(base, "repo");
    outside = path.join(base, "outside");
    mkdirSync(path.join(root, "src"), { recursive: true });
    mkdirSync(outside);
    writeFileSync(path.join(outside, "secret.txt"), "secret\n");
    writeFileSync(path.join(root, "src/a.ts"), "export {};\n");
    execFileSync("git", ["init", "-q", "-b", "main", root]);
    execFileSync("git", [...identity, "add", "-A"], { cwd: root });
    execFileSync("git", [...identity, "commit", "-q", "-m", "initial"], { cwd: root });
    symlinkSync("/etc/passwd", path.join(root, "passwd-link"));
    symlinkSync(outside, path.join(root, "outside-dir"));
    symlinkSync("src/a.ts", path.join(root, "inside-link"));
    symlinkSync(".git", path.join(root, "git-link"));
    guard = new PathGuard(root);
  });

  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
  });

  describe("paths inside the repository", () => {
    it.each([
      ["src/a.ts", "src/a.ts"],
      ["./src/a.ts", "src/a.ts"],
      ["src/../src/a.ts", "src/a.ts"],
      ["src//a.ts", "src/a.ts"],
      [".", ""],
      ["", ""],
    ])("resolves %j inside the root", async (given, expected) => {
      expect(await guard.resolve(given)).toBe(path.join(root, expected));
    });

    it("treats a leading slash as the repository root", async () => {
      expect(await guard.resolve("/src/a.ts")).toBe(path.join(root, "src/a.ts"));
      expect(await guard.resolve("/etc/passwd")).toBe(path.join(root, "etc/passwd"));
      expect(await guard.resolve("/")).toBe(root);
    });

    it("maps the container path /workspace to the root", async () => {
      expect(await guard.resolve("/workspace/src/a.ts")).toBe(path.join(root, "src/a.ts"));
      expect(await guard.resolve("/workspace")).toBe(root);
      expect(await guard.resolve("/workspace/")).toBe(root);
    });

    it("follows a symlink that stays inside", async () => {
      expect(await guard.resolve("inside-link")).toBe(path.join(root, "src/a.ts"));
      expect(await guard.resolve("inside-link", { write: true })).toBe(path.join(root, "src/a.ts"));
    });

    it("accepts new files in new directories for writing", async () => {
      expect(await guard.resolve("new/deeper/file.ts", { write: true })).toBe(path.join(root, "new/deeper/file.ts"));
      expect(await guard.resolve("src/new.ts", { write: true })).toBe(path.join(root, "src/new.ts"));
    });

    it("allows reading under .git", async () => {
      expect(await guard.resolve(".git/HEAD")).toBe(path.join(root, ".git/HEAD"));
    });

    it("gives paths relative to the root back", async () => {
      expect(await guard.relative(path.join(root, "src/a.ts"))).toBe("src/a.ts");
      expect(await guard.relative(root)).toBe(".");
    });
  });

  describe("paths outside", () => {
    it.each(["../x", "..", "src/../../x", "/../etc/passwd", "/workspace/../x", "../outside/secret.txt"])("refuses %j", async (given) => {
      const error = await refusal(guard.resolve(given));
      expect(error.reason).toBe("outside-workspace");
      expect(error.message).toContain(`"${given}" is outside the repository`);
    });

    it("refuses a symlink to /etc/passwd, for reading and for writing", async () => {
      expect((await refusal(guard.resolve("passwd-link"))).reason).toBe("outside-workspace");
      expect((await refusal(guard.resolve("passwd-link", { write: true }))).reason).toBe("outside-workspace");
    });

    it("refuses files through a symlinked directory that points outside", async () => {
      expect((await refusal(guard.resolve("outside-dir/secret.txt"))).reason).toBe("outside-workspace");
      expect((await refusal(guard.resolve("outside-dir"))).reason).toBe("outside-workspace");
      expect((await refusal(guard.resolve("outside-dir/new/file.txt", { write: true }))).reason).toBe("outside-workspace");
    });

    it("refuses a NUL byte", async () => {
      expect((await refusal(guard.resolve("src/a.ts\0.png"))).reason).toBe("invalid");
    });
  });

  describe("writes under .git", () => {
    it.each([".git", ".git/config", ".git/hooks/pre-commit", "src/../.git/config", "/.git/HEAD", "/workspace/.git/config"])(
      "refuses writing %j",
      async (given) => {
        expect((await refusal(guard.resolve(given, { write: true }))).reason).toBe("git-directory");
      },
    );

    it("refuses writing through a symlink to .git", async () => {
      expect((await refusal(guard.resolve("git-link/config", { write: true }))).reason).toBe("git-directory");
    });

    it("does not mistake a name that starts with .git for the .git directory", async () => {
      expect(await guard.resolve(".gitignore", { write: true })).toBe(path.join(root, ".gitignore"));
      expect(await guard.resolve(".github/workflows/ci.yml", { write: true })).toBe(path.join(root, ".github/workflows/ci.yml"));
    });

    it("refuses writing the .git file of a worktree", async () => {
      const worktree = path.join(base, "worktree");
      execFileSync("git", ["worktree", "add", "--detach", "--quiet", worktree, "HEAD"], { cwd: root });
      const worktreeGuard = new PathGuard(worktree);
      expect((await refusal(worktreeGuard.resolve(".git", { write: true }))).reason).toBe("git-directory");
      expect(await worktreeGuard.resolve(".git")).toBe(path.join(worktree, ".git"));
      expect(await worktreeGuard.resolve("src/a.ts", { write: true })).toBe(path.join(worktree, "src/a.ts"));
    });
  });
});
