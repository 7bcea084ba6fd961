/**
 * Parse success on the tool-call corpus (real malformed output of open models from public issue
 * threads), for our reader and, side by side, a strict reader of the kind most serving stacks use:
 * `<tool_call>` tags or a whole-reply JSON object, `JSON.parse`, and the exact tool name.
 */
import { cases, run, specs, type CorpusCase } from "../test/support/tool-call-corpus.js";

export interface ToolCallResult {
  readonly repairable: number;
  readonly ours: { readonly repaired: number; readonly invented: number };
  readonly strict: { readonly repaired: number; readonly invented: number };
  readonly prose: number;
  readonly failures: readonly string[];
  readonly targets: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
}

export function runToolCallBench(): ToolCallResult {
  const ours = { repaired: 0, invented: 0 };
  const strict = { repaired: 0, invented: 0 };
  const failures: string[] = [];
  for (const c of cases) {
    const got = run(c).calls;
    const baseline = strictRead(c);
    if (c.category === "call") {
      if (same(got, c.expected)) ours.repaired++;
      else failures.push(c.id);
      if (same(baseline, c.expected)) strict.repaired++;
    } else {
      ours.invented += got.length;
      strict.invented += baseline.length;
    }
  }
  const repairable = cases.filter((c) => c.category === "call").length;
  const prose = cases.filter((c) => c.category !== "call").length;
  console.log(`corpus: ${cases.length} cases (${repairable} repairable calls, ${prose} with no usable call)`);
  console.log(`ours:   ${ours.repaired}/${repairable} repaired, ${ours.invented} calls invented from prose`);
  console.log(`strict: ${strict.repaired}/${repairable} read, ${strict.invented} calls invented from prose`);
  if (failures.length > 0) console.log(`not repaired: ${failures.join(", ")}`);
  return {
    repairable,
    ours,
    strict,
    prose,
    failures,
    targets: [
      { name: "tool calls: every repairable case repaired", ok: ours.repaired === repairable, detail: `${ours.repaired}/${repairable}` },
      { name: "tool calls: no call invented from prose", ok: ours.invented === 0, detail: `${ours.invented} invented` },
    ],
  };
}

function same(a: readonly { name: string; arguments: unknown }[], b: readonly { name: string; arguments: unknown }[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The baseline: what a reader without repair gets out of the same output. */
function strictRead(c: CorpusCase): Array<{ name: string; arguments: unknown }> {
  const names = new Set(specs(c.tools).map((t) => t.name));
  const accept = (value: unknown): Array<{ name: string; arguments: unknown }> => {
    const list = Array.isArray(value) ? value : [value];
    const calls: Array<{ name: string; arguments: unknown }> = [];
    for (const item of list) {
      const call = item as { name?: unknown; arguments?: unknown };
      if (typeof call?.name !== "string" || !names.has(call.name)) continue;
      const args = typeof call.arguments === "string" ? tryParse(call.arguments) : call.arguments;
      if (args !== null && typeof args === "object" && !Array.isArray(args)) calls.push({ name: call.name, arguments: args });
    }
    return calls;
  };
  if (typeof c.input !== "string") return accept(c.input);
  const tagged = [...c.input.matchAll(/<tool_call>([\s\S]*?)<\/tool_call>/g)].map((m) => m[1] ?? "");
  const bodies = tagged.length > 0 ? tagged : [c.input];
  return bodies.flatMap((body) => accept(tryParse(body.trim())));
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) runToolCallBench();
