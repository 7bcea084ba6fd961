import { describe, expect, it } from "vitest";
import { parseReview } from "../../src/review/parse-findings.js";

describe("parseReview", () => {
  it("reads a well-formed review", () => {
    const review = parseReview(
      JSON.stringify({
        summary: "Adds a retry loop.",
        findings: [
          {
            path: "src/a.ts",
            line: 12,
            severity: "major",
            category: "bug",
            title: "Off by one",
            body: "The loop runs once too often.",
            replacement: "for (let i = 0; i < n; i++) {",
          },
        ],
      }),
    );
    expect(review).toEqual({
      ok: true,
      summary: "Adds a retry loop.",
      findings: [
        {
          path: "src/a.ts",
          line: 12,
          side: "RIGHT",
          severity: "major",
          category: "bug",
          title: "Off by one",
          body: "The loop runs once too often.",
          replacement: "for (let i = 0; i < n; i++) {",
        },
      ],
      dropped: [],
      repairs: [],
    });
  });

  it("repairs what small models get wrong, and drops only what cannot be saved", () => {
    const text = [
      "<think>Let me look at the diff.</think>Here is my review:",
      "```json",
      "{",
      "  'summary': 'Refactors the parser.',",
      "  'findings': [",
      "    {'file': 'src/p.ts', 'line_number': '40', 'priority': 'High', 'type': 'Correctness', 'description': 'The null check is missing. It crashes on empty input.'},",
      "    {'path': 'src/p.ts', 'line': '10-14', 'severity': 'nit', 'category': 'style', 'title': 'Naming', 'body': 'Use a verb.', 'confidence': 0.4},",
      "    {'path': 'src/p.ts', 'severity': 'minor', 'category': 'bug', 'title': 'No line', 'body': 'Where?'},",
      "  ],",
      "}",
      "```",
    ].join("\n");
    const review = parseReview(text);
    expect(review.ok).toBe(true);
    if (!review.ok) return;
    expect(review.summary).toBe("Refactors the parser.");
    expect(review.findings).toEqual([
      {
        path: "src/p.ts",
        line: 40,
        side: "RIGHT",
        severity: "major",
        category: "bug",
        title: "The null check is missing.",
        body: "The null check is missing. It crashes on empty input.",
      },
      {
        path: "src/p.ts",
        line: 14,
        startLine: 10,
        side: "RIGHT",
        severity: "nit",
        category: "style",
        title: "Naming",
        body: "Use a verb.",
      },
    ]);
    expect(review.dropped).toEqual([expect.stringMatching(/^finding 3: line: /)]);
    expect(review.repairs.length).toBeGreaterThan(0);
  });

  it("asks again, with the expected form, when there is no review to read", () => {
    for (const text of ["Looks good to me!", '{"verdict": "fine"}', '```json\n{"summary": \n```']) {
      const review = parseReview(text);
      expect(review.ok, text).toBe(false);
      if (!review.ok) expect(review.message).toMatch(/Reply with one JSON object: \{"summary"/);
    }
  });
});
