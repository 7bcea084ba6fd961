import { describe, expect, it } from "vitest";
import { cases, run } from "../support/tool-call-corpus.js";

describe("tool-call corpus", () => {
  it("has enough cases, each with a source", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(cases.filter((c) => c.category === "prose").length).toBeGreaterThanOrEqual(8);
    for (const c of cases) {
      expect(c.source, c.id).toMatch(/^[\w.-]+\/[\w.-]+#\d+$/);
      expect(c.url, c.id).toMatch(/^https:\/\/github\.com\//);
      if (c.category === "call") expect(c.expected.length, c.id).toBeGreaterThan(0);
      else expect(c.expected, c.id).toEqual([]);
    }
  });

  describe.each(cases)("$id ($source)", (c) => {
    it(
      c.category === "call"
        ? "yields exactly the expected calls"
        : c.category === "prose"
          ? "yields no call and no problem"
          : "yields no call and explains why",
      () => {
        const { calls, problems } = run(c);
        expect(calls).toEqual(c.expected);
        if (c.category === "call") expect(problems).toEqual([]);
        if (c.category === "prose") expect(problems).toEqual([]);
        if (c.category === "unknown-tool") {
          expect(problems).toHaveLength(1);
          expect(problems[0]).toMatch(/There is no tool named/);
        }
      },
    );
  });
});
