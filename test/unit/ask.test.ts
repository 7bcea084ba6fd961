import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { answerQuestion } from "../../src/ask/answer-question.js";
import { explainQuestion, parseExplainTarget } from "../../src/ask/ask-prompt.js";
import { checkCitations } from "../../src/ask/check-citations.js";
import { PathGuard } from "../../src/safety/path-guard.js";
import { HostRunner } from "../../src/workspace/host-runner.js";
import { FunctionProvider } from "../support/function-provider.js";

describe("/coder ask and explain", () => {
  let root: string;

  beforeEach(() => {
    root = realpathSync(mkdtempSync(path.join(tmpdir(), "ask-")));
    mkdirSync(path.join(root, "src"));
    writeFileSync(
      path.join(root, "src", "verify.js"),
      [
        "import { createHmac, timingSafeEqual } from 'node:crypto';",
        "",
        "export function verify(secret, body, signature) {",
        "  const expected = createHmac('sha256', secret).update(body).digest('hex');",
        "  return timingSafeEqual(Buffer.from(expected), Buffer.from(signature));",
        "}",
        "",
      ].join("\n"),
    );
    execFileSync("git", ["init", "-q", "-b", "main"], { cwd: root });
    execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", "add", "-A"], { cwd: root });
    execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "init"], { cwd: root });
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("answers with read-only tools, and marks citations that are not in the code", async () => {
    const provider = new FunctionProvider({ nativeTools: true }, (request, i) => {
      if (i === 0) return { toolCalls: [{ name: "grep", arguments: { pattern: "timingSafeEqual" } }] };
      if (i === 1) return { toolCalls: [{ name: "read_file", arguments: { path: "src/verify.js" } }] };
      return {
        toolCalls: [
          {
            name: "answer",
            arguments: {
              answer:
                "Signatures are checked in `src/verify.js:3-6` with a constant-time compare (src/verify.js:5). See also src/verify.js:40 and src/missing.js:2.",
            },
          },
        ],
      };
    });
    const answer = await answerQuestion({
      provider,
      root,
      runner: new HostRunner(root),
      repoFullName: "acme/hooks",
      question: "Where are webhook signatures verified?",
      signal: new AbortController().signal,
    });
    expect(answer.stopReason).toBe("finished");
    expect(answer.citations).toEqual({ valid: 2, invalid: 2 });
    expect(answer.text).toContain("`src/verify.js:3-6` with");
    expect(answer.text).toContain("src/verify.js:40 _(not found in the code)_");
    expect(answer.text).toContain("src/missing.js:2 _(not found in the code)_");
    // Only reading tools were offered: nothing can write or run.
    expect(provider.requests[0]?.tools.map((t) => t.name).sort()).toEqual([
      "answer",
      "find_files",
      "git_status",
      "grep",
      "list_files",
      "read_file",
    ]);
    expect(JSON.stringify(provider.requests[2]?.messages)).toContain("timingSafeEqual(Buffer.from(expected)");
  });

  it("links every real citation to its lines, and only those", async () => {
    const link = (file: string, start: number, end: number) => `https://forge.example/acme/hooks/blob/abc123/${file}#L${start}-L${end}`;
    const checked = await checkCitations(
      "In `src/verify.js:3-6`, see src/verify.js:5; not src/verify.js:6-3 nor src/verify.js:0 nor src/gone.js:1.",
      new PathGuard(root),
      link,
    );
    expect(checked).toEqual({
      text:
        "In [`src/verify.js:3-6`](https://forge.example/acme/hooks/blob/abc123/src/verify.js#L3-L6), see [src/verify.js:5](https://forge.example/acme/hooks/blob/abc123/src/verify.js#L5-L5); " +
        "not src/verify.js:6-3 _(not found in the code)_ nor src/verify.js:0 _(not found in the code)_ nor src/gone.js:1 _(not found in the code)_.",
      valid: 2,
      invalid: 3,
    });
    // The file has 6 lines and ends with a newline: there is no line 7.
    expect((await checkCitations("src/verify.js:6 and src/verify.js:7", new PathGuard(root))).invalid).toBe(1);
    // The model's own code blocks, code spans and links are left as written.
    const formatted =
      "```js\n// see src/verify.js:3\n```\nRun `node src/verify.js:3 --check`, read [the check](src/verify.js:5), or src/verify.js:4.";
    const kept = await checkCitations(formatted, new PathGuard(root), link);
    expect(kept.text).toBe(
      formatted.replace("or src/verify.js:4.", "or [src/verify.js:4](https://forge.example/acme/hooks/blob/abc123/src/verify.js#L4-L4)."),
    );
    expect(kept).toMatchObject({ valid: 1, invalid: 0 });
  });

  it("reads what to explain", () => {
    expect(parseExplainTarget("src/verify.js:3-6 focus on timing")).toEqual({
      path: "src/verify.js",
      start: 3,
      end: 6,
      rest: "focus on timing",
    });
    expect(parseExplainTarget("./src/verify.js#L3-L6")).toEqual({ path: "src/verify.js", start: 3, end: 6, rest: "" });
    expect(parseExplainTarget("src/verify.js:9")).toEqual({ path: "src/verify.js", start: 9, end: 9, rest: "" });
    expect(parseExplainTarget("   ")).toBeNull();
    expect(explainQuestion({ path: "src/verify.js", start: 3, end: 6 }, "")).toMatch(/^Explain src\/verify.js lines 3-6: what it does/);
  });
});
