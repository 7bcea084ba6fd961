import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { normalizeNativeCalls } from "../../src/llm/tool-calls/normalize-native-calls.js";
import { parseToolCallsFromText } from "../../src/llm/tool-calls/parse-text-tool-calls.js";
import type { ToolSpec } from "../../src/llm/types.js";

/**
 * Real malformed tool-call outputs of open models, as reported in public issue threads. Each case
 * names its thread; `note` says where a case was adapted or where its tool list was completed.
 */
export interface CorpusCase {
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
export const cases: CorpusCase[] = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as CorpusCase);

export function specs(tools: CorpusCase["tools"]): ToolSpec[] {
  return tools.map((t) =>
    typeof t === "string"
      ? { name: t, description: `The ${t} tool.`, parameters: { type: "object", properties: {} } }
      : { name: t.name, description: `The ${t.name} tool.`, parameters: t.parameters },
  );
}

export function run(c: CorpusCase): { calls: Array<{ name: string; arguments: unknown }>; problems: string[] } {
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
  return {
    calls: result.calls.map(({ name, arguments: args }) => ({ name, arguments: args })),
    problems: result.rejected.map((r) => r.message),
  };
}
