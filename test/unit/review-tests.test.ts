import { execFileSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultRepoConfig } from "../../src/config/repo-config.js";
import { runReviewTests } from "../../src/review/review-tests.js";
import { HostRunnerFactory } from "../../src/workspace/host-runner.js";
import { MirrorCache } from "../../src/workspace/mirror-cache.js";
import { Worktrees } from "../../src/workspace/worktrees.js";

/** review.runTests on a real repository with a pull request ref, through the mirror, a worktree and the host runner. */
describe("tests run for a review", () => {
  let dir: string;
  let origin: string;
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args], { cwd, encoding: "utf8" }).trim();

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), "review-tests-")));
    origin = path.join(dir, "origin");
    execFileSync("git", ["init", "-q", "-b", "main", origin]);
    writeFileSync(path.join(origin, "package.json"), JSON.stringify({ name: "calc", scripts: { test: "node test.js" } }));
    writeFileSync(path.join(origin, "test.js"), "if (1 + 1 !== 2) process.exit(1);\nconsole.log('ok');\n");
    git(origin, "add", "-A");
    git(origin, "commit", "-qm", "init");
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(head: string) {
    return runReviewTests(
      {
        mirrors: new MirrorCache(path.join(dir, "mirrors")),
        worktrees: new Worktrees(path.join(dir, "worktrees")),
        runners: new HostRunnerFactory(),
      },
      {
        repoKey: "acme/calc",
        cloneUrl: origin,
        token: null,
        number: 7,
        headSha: head,
        config: defaultRepoConfig,
        name: "review-7",
        signal: new AbortController().signal,
      },
    );
  }

  it("reports passing and failing tests of the pull request's head, with the output's tail", async () => {
    git(origin, "checkout", "-q", "-b", "feature");
    writeFileSync(path.join(origin, "test.js"), "console.error('expected 4, got 5');\nprocess.exit(3);\n");
    git(origin, "commit", "-qam", "break it");
    const broken = git(origin, "rev-parse", "HEAD");
    git(origin, "update-ref", "refs/pull/7/head", broken);
    const failed = await run(broken);
    expect(failed).toMatch(new RegExp(`^\`npm test\` failed on ${broken.slice(0, 7)} \\(exit \\d+\\)`));
    expect(failed).toContain("expected 4, got 5");
    const main = git(origin, "rev-parse", "main");
    git(origin, "update-ref", "refs/pull/7/head", main);
    expect(await run(main)).toBe(`\`npm test\` passed on ${main.slice(0, 7)}.`);
    expect(await run("0".repeat(40))).toBe("not run: the head 0000000 could not be fetched.");
  });
});
