import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GitError, runGit } from "../../src/git/run-git.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "git-error-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function failure(args: string[], cwd: string): Promise<GitError> {
  const error = await runGit(args, { cwd }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GitError);
  return error as GitError;
}

describe("GitError", () => {
  it("names what git's own words say went wrong", async () => {
    const repo = tempDir();
    await runGit(["init", "--quiet", repo], { cwd: repo });
    expect((await failure(["rev-parse", "--verify", "no-such-branch^{commit}"], repo)).reason).toBe("unknown-revision");
    expect((await failure(["log", "-1"], tempDir())).reason).toBe("not-a-repository");
    // Nothing listens on port 9 of loopback here: the connection is refused at once.
    expect((await failure(["ls-remote", "http://127.0.0.1:9/acme/widgets.git"], repo)).reason).toBe("unreachable");
    const other = await failure(["commit-tree", "not-a-tree"], repo);
    expect(other.reason).toMatch(/unknown-revision|failed/);
    expect(other.message).toMatch(/^git commit-tree failed \(exit \d+\)/);
  });
});
