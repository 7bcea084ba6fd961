import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DiffLineMap } from "../../src/diff/line-map.js";
import { parseGitDiff } from "../../src/diff/parse-git-diff.js";
import type { Finding } from "../../src/review/findings.js";
import { placeFindings } from "../../src/review/place-findings.js";
import { planReview } from "../../src/review/plan-review.js";
import { renderReviewBody } from "../../src/review/render-review.js";
import { reviewTaskPrompt } from "../../src/review/review-prompt.js";

const root = path.resolve(import.meta.dirname, "../..");
/** A real change of this repository: the commit that added the context window (code, tests and a lock-free set of files). */
const diffText = (() => {
  const sha = execFileSync("git", ["log", "--format=%H", "-n", "1", "--grep", "Agent loop: native and text-mode tool calls"], {
    cwd: root,
    encoding: "utf8",
  }).trim();
  return execFileSync("git", ["diff", `${sha}^`, sha], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
})();
const files = parseGitDiff(diffText);

const finding = (over: Partial<Finding>): Finding => ({
  path: "src/agent/agent-loop.ts",
  line: 1,
  side: "RIGHT",
  severity: "minor",
  category: "bug",
  title: "A problem",
  body: "Why it matters.",
  ...over,
});

describe("review planning, placement and the summary", () => {
  it("orders source before tests, skips what is not reviewable, and keeps to the budget", () => {
    const plan = planReview(files, { include: [], exclude: [], budgetTokens: 100_000 });
    const paths = plan.reviewed.map((r) => r.file.path);
    expect(paths.length).toBeGreaterThan(3);
    const firstTest = paths.findIndex((p) => p.startsWith("test/"));
    expect(paths.slice(0, firstTest).every((p) => p.startsWith("src/"))).toBe(true);
    const small = planReview(files, { include: [], exclude: ["src/llm/**"], budgetTokens: 3_000 });
    expect(small.reviewed.every((r) => !r.file.path.startsWith("src/llm/"))).toBe(true);
    expect(small.skipped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: expect.stringMatching(/^matched exclude/) }),
        expect.objectContaining({ reason: "over the review's size budget" }),
      ]),
    );
    expect(small.reviewed.length + small.skipped.length).toBe(files.length);
    const prompt = reviewTaskPrompt({
      repoFullName: "acme/bot",
      number: 3,
      title: "t",
      body: "b",
      plan: small,
      incrementalFrom: null,
      context: "",
    });
    for (const { file } of small.reviewed) expect(prompt).toContain(`### ${file.path}`);
  });

  it("places a finding inline only on a line the diff shows, with a suggestion only when it changes those lines", () => {
    const map = DiffLineMap.from(files);
    const loop = files.find((f) => f.path === "src/agent/agent-loop.ts")!;
    const added = loop.hunks.flatMap((h) => h.lines).find((l) => l.kind === "add" && l.text.includes("const window = new ContextWindow"))!;
    const line = added.newLine!;
    // A line past everything the diff shows of the file.
    const outside = Math.max(...loop.hunks.map((h) => h.newStart + h.newLines)) + 50;
    const placement = placeFindings(
      [
        finding({
          line,
          title: "Window built twice",
          severity: "major",
          replacement: added.text.replace("const window", "const contextWindow"),
        }),
        finding({ line, title: "Same text suggested", replacement: added.text }),
        finding({ line: outside, title: "Outside", severity: "critical" }),
        finding({ path: "src/nowhere.ts", line: 3, title: "Other file" }),
        finding({ line, title: "Window built twice", severity: "major" }),
      ],
      map,
      { posted: new Set(), maxInline: 10 },
    );
    expect(placement.inline.map((c) => [c.path, c.line, c.finding.title])).toEqual([
      ["src/agent/agent-loop.ts", line, "Window built twice"],
      ["src/agent/agent-loop.ts", line, "Same text suggested"],
    ]);
    expect(placement.inline[0]!.body).toContain("```suggestion\n" + added.text.replace("const window", "const contextWindow") + "\n```");
    expect(placement.inline[1]!.body).not.toContain("```suggestion");
    expect(placement.summaryOnly.map((s) => [s.finding.title, s.why])).toEqual([
      ["Outside", "on a line the diff does not show"],
      ["Other file", "on a file the diff does not change"],
    ]);
    expect(placement.repeated).toBe(1);
    for (const comment of placement.inline) expect(map.canComment(comment.path, comment.side, comment.line)).toBe(true);

    // On the next push the same findings are not posted again.
    const again = placeFindings([finding({ line, title: "Window built twice", severity: "major" })], map, {
      posted: new Set(placement.inline.map((c) => c.fingerprint)),
      maxInline: 10,
    });
    expect(again).toMatchObject({ inline: [], summaryOnly: [], repeated: 1 });

    const body = renderReviewBody({
      walkthrough: "Adds a context window.",
      placement,
      plan: planReview(files, { include: [], exclude: [], budgetTokens: 100_000 }),
      headSha: "abcdef1234567",
      incrementalFrom: null,
      model: "scripted",
    });
    expect(body).toContain("**Findings:** 🛑 1 critical, ⚠️ 1 major, 💡 2 minor.");
    expect(body).toContain("1 finding(s) already raised on an earlier commit are not repeated.");
    expect(body).toMatch(/Outside\*\* \(`src\/agent\/agent-loop.ts:\d+`, on a line the diff does not show\)/);
  });

  it("caps inline comments, most severe first, and lists the rest", () => {
    const map = DiffLineMap.from(files);
    const loop = files.find((f) => f.path === "src/agent/agent-loop.ts")!;
    const lines = loop.hunks
      .flatMap((h) => h.lines)
      .filter((l) => l.kind === "add")
      .slice(0, 4)
      .map((l) => l.newLine!);
    const placement = placeFindings(
      lines.map((line, i) => finding({ line, title: `Finding ${i}`, severity: i === 3 ? "critical" : "nit" })),
      map,
      { posted: new Set(), maxInline: 2 },
    );
    expect(placement.inline.map((c) => c.finding.title)).toEqual(["Finding 3", "Finding 0"]);
    expect(placement.summaryOnly.map((s) => s.why)).toEqual(["over the limit of inline comments", "over the limit of inline comments"]);
  });
});
