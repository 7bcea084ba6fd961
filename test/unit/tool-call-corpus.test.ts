import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { normalizeNativeCalls } from "../../src/llm/tool-calls/normalize-native-calls.js";
import { parseToolCallsFromText } from "../../src/llm/tool-calls/parse-text-tool-calls.js";
import type { ToolSpec } from "../../src/llm/types.js";

/**
 * Real malformed tool-call outputs of open models, as reported in public issue threads. Each case
 * names its thread; `note` says where a case was adapted or where its tool list was completed.
 */
interface CorpusCase {
  readonly id: string;
  readonly source: string;
  readonly url: string;
  readonly model: string | null;
  /** `call`: repairable into the expected calls; `prose`: no call and no problem; `unknown-tool`: no call, a problem. */
  readonly category: "call" | "prose" | "unknown-tool";
  readonly mode: "text" | "native";
  readonly input: string | ReadonlyArray<{ readonly name: string; readonly arguments: unknown }>;
  readonly tools: ReadonlyArray<string | { readonly name: string; readonly parameters: Record<string, unknown> }>;
  readonly expected: ReadonlyArray<{ readonly name: string; readonly arguments: Record<string, unknown> }>;
  readonly note?: string;
}

const dir = path.join(import.meta.dirname, "../fixtures/tool-call-corpus");
const cases: CorpusCase[] = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as CorpusCase);

function specs(tools: CorpusCase["tools"]): ToolSpec[] {
  return tools.map((t) =>
    typeof t === "string"
      ? { name: t, description: `The ${t} tool.`, parameters: { type: "object", properties: {} } }
      : { name: t.name, description: `The ${t.name} tool.`, parameters: t.parameters },
  );
}

function run(c: CorpusCase): { calls: Array<{ name: string; arguments: unknown }>; problems: string[] } {
  const tools = specs(c.tools);
  if (c.mode === "text") {
    if (typeof c.input !== "string") throw new Error(`${c.id}: a text case needs a string input`);
    const result = parseToolCallsFromText(c.input, tools);
    return { calls: result.calls.map(({ name, arguments: args }) => ({ name, arguments: args })), problems: result.problems };
  }
  if (typeof c.input === "string") throw new Error(`${c.id}: a native case needs a list of calls`);
  const result = normalizeNativeCalls(
    c.input.map((call, i) => ({ id: `call_${i}`, ...call })),
    tools,
  );
  return { calls: result.calls.map(({ name, arguments: args }) => ({ name, arguments: args })), problems: result.rejected.map((r) => r.message) };
}

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
    it(c.category === "call" ? "yields exactly the expected calls" : c.category === "prose" ? "yields no call and no problem" : "yields no call and explains why", () => {
      const { calls, problems } = run(c);
      expect(calls).toEqual(c.expected);
      if (c.category === "call") expect(problems).toEqual([]);
      if (c.category === "prose") expect(problems).toEqual([]);
      if (c.category === "unknown-tool") {
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/There is no tool named/);
      }
    });
  });
});
