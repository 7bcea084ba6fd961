import { describe, expect, it } from "vitest";
import { branchRefusal, checkPushArgs, PushRefused, type PushRules } from "../../src/git/push-policy.js";

const rules: PushRules = { defaultBranch: "main", prefix: "coder/", protectedPatterns: ["release/*"] };
const sha = "a".repeat(40);
const url = "https://github.com/o/r.git";

describe("push policy", () => {
  it("allows one commit to one branch in the bot's namespace", () => {
    expect(checkPushArgs(["push", "--porcelain", url, `${sha}:refs/heads/coder/issue-1-x`], rules)).toEqual({
      url,
      sha,
      branch: "coder/issue-1-x",
    });
  });

  it.each([
    [["push", "--force", url, `${sha}:refs/heads/coder/x`]],
    [["push", "-f", url, `${sha}:refs/heads/coder/x`]],
    [["push", "--force-with-lease", url, `${sha}:refs/heads/coder/x`]],
    [["push", "--force-with-lease=coder/x:abc", url, `${sha}:refs/heads/coder/x`]],
    [["push", "--force-if-includes", url, `${sha}:refs/heads/coder/x`]],
    [["push", "--delete", url, "coder/x"]],
    [["push", "-d", url, "coder/x"]],
    [["push", "--mirror", url]],
    [["push", "--all", url]],
    [["push", url, `+${sha}:refs/heads/coder/x`]],
    [["push", url, ":refs/heads/coder/x"]],
    [["push", url, "refs/heads/*:refs/heads/*"]],
    [["push", url, `${sha}:refs/heads/coder/x`, `${sha}:refs/heads/coder/y`]],
    [["push", "--receive-pack=evil", url, `${sha}:refs/heads/coder/x`]],
    [["push", url, "HEAD:refs/heads/coder/x"]],
    [["fetch", url]],
  ])("refuses %j", (args) => {
    expect(() => checkPushArgs(args, rules)).toThrow(PushRefused);
  });

  it("never pushes to the default branch, protected patterns or outside the namespace", () => {
    expect(branchRefusal("main", rules)).toMatch(/default branch/);
    expect(branchRefusal("release/1.0", { ...rules, prefix: "" })).toMatch(/protected/);
    expect(branchRefusal("feature/x", rules)).toMatch(/namespace/);
    expect(branchRefusal("coder/../main", rules)).toMatch(/not a branch name/);
    expect(branchRefusal("coder/x.lock", rules)).toMatch(/not a branch name/);
  });

  it("reads a protected pattern's `*` as any run of characters, `/` included, and nothing else as special", () => {
    const globs = (patterns: string[]) => ({ ...rules, prefix: "", protectedPatterns: patterns });
    expect(branchRefusal("release/1.0", globs(["release/*"]))).toMatch(/protected/);
    expect(branchRefusal("release/1.0/hotfix", globs(["release/*"]))).toMatch(/protected/);
    expect(branchRefusal("coder/x", { ...rules, protectedPatterns: ["*"] })).toMatch(/protected/);
    expect(branchRefusal("axb", globs(["a.b"]))).toBeNull();
    expect(branchRefusal("y", globs(["!x"]))).toBeNull();
    expect(branchRefusal("ab", globs(["a{b,c}"]))).toBeNull();
    expect(branchRefusal("release-notes", globs(["release/*"]))).toBeNull();
    expect(branchRefusal("hotfix/a/b", globs(["hotfix/**"]))).toMatch(/protected/);
    expect(branchRefusal("coder/keep-this", { ...rules, protectedPatterns: ["coder/keep-*"] })).toMatch(/protected/);
    expect(branchRefusal("coder/other", { ...rules, protectedPatterns: ["coder/keep-*"] })).toBeNull();
  });

  it("names the rule a refused push broke", () => {
    const reason = (args: string[]) => {
      try {
        checkPushArgs(args, rules);
        return null;
      } catch (error) {
        return (error as PushRefused).reason;
      }
    };
    expect(reason(["push", "--force", url, `${sha}:refs/heads/coder/x`])).toBe("option");
    expect(reason(["push", url, `+${sha}:refs/heads/coder/x`])).toBe("force");
    expect(reason(["push", url, ":refs/heads/coder/x"])).toBe("delete");
    expect(reason(["push", url, `${sha}:refs/heads/main`])).toBe("branch");
    expect(reason(["fetch", url])).toBe("not-a-push");
    expect(reason(["push", url, `${sha}:refs/heads/coder/x`])).toBeNull();
  });

  it("allows a pull request's head branch only when it was named, and never the default branch", () => {
    expect(branchRefusal("feature/x", { ...rules, allowedHead: "feature/x" })).toBeNull();
    expect(branchRefusal("main", { ...rules, allowedHead: "main" })).toMatch(/default branch/);
    expect(branchRefusal("release/2", { ...rules, allowedHead: "release/2" })).toMatch(/protected/);
  });
});
