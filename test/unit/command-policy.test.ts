import { describe, expect, it } from "vitest";
import { checkCommand } from "../../src/safety/command-policy.js";

const strict = { allowShell: false, extraPrograms: [] };

describe("command policy", () => {
  it("turns an allowed command line into argv", () => {
    expect(checkCommand("npm test -- --grep 'adds two'", strict)).toEqual({
      allowed: true,
      argv: ["npm", "test", "--", "--grep", "adds two"],
    });
    expect(checkCommand("pytest -x tests/test_api.py", strict)).toEqual({ allowed: true, argv: ["pytest", "-x", "tests/test_api.py"] });
    expect(checkCommand("./gradlew test", strict)).toEqual({ allowed: true, argv: ["./gradlew", "test"] });
    expect(checkCommand("CI=1 npm test", strict)).toEqual({ allowed: true, argv: ["env", "CI=1", "npm", "test"] });
    expect(checkCommand("ls src/*.ts", strict)).toEqual({ allowed: true, argv: ["ls", "src/*.ts"] });
  });

  it("refuses shell syntax unless the repository allows a shell, and says what to do", () => {
    for (const line of ["npm test | tail", "make && make test", "echo x > f", "echo $(id)", "echo `id`", "echo $HOME", "a; b"]) {
      const decision = checkCommand(line, strict);
      expect(decision.allowed, line).toBe(false);
      expect(decision.allowed ? "" : decision.message).toContain("one program at a time");
    }
    expect(checkCommand("npm test | tail -5", { allowShell: true, extraPrograms: [] })).toEqual({
      allowed: true,
      shell: "npm test | tail -5",
    });
  });

  it("allows git only to read", () => {
    expect(checkCommand("git diff HEAD~1 -- src", strict)).toMatchObject({ allowed: true });
    expect(checkCommand("git log --oneline -5", strict)).toMatchObject({ allowed: true });
    for (const line of [
      "git push --force origin main",
      "git push",
      "git commit -am x",
      "git -c core.pager=sh status",
      "git -C /etc status",
      "git reset --hard",
      "git config user.name x",
      "git checkout main",
      "git diff --output=/tmp/x",
      "git remote add x y",
    ]) {
      const decision = checkCommand(line, strict);
      expect(decision.allowed, line).toBe(false);
    }
    const push = checkCommand("git push --force", strict);
    expect(push.allowed ? "" : push.message).toContain("the bot commits and pushes your changes itself");
  });

  it("refuses programs that run other programs or reach out, and lists what is allowed", () => {
    for (const line of [
      "bash -c 'rm -rf /'",
      "sh script.sh",
      "env X=1 bash",
      "xargs rm",
      "curl http://example.com",
      "sudo ls",
      "docker ps",
      "/bin/sh",
      "../outside/tool",
      "nc -l 80",
    ]) {
      const decision = checkCommand(line, strict);
      expect(decision.allowed, line).toBe(false);
      expect(decision.allowed ? "" : decision.message).toContain("Allowed programs:");
    }
  });

  it("accepts programs the repository adds", () => {
    expect(checkCommand("bazel test //...", strict).allowed).toBe(false);
    expect(checkCommand("bazel test //...", { allowShell: false, extraPrograms: ["bazel"] })).toEqual({
      allowed: true,
      argv: ["bazel", "test", "//..."],
    });
  });
});
