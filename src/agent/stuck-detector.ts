import type { ToolCall } from "../llm/types.js";

export type StuckVerdict = { readonly kind: "ok" } | { readonly kind: "nudge" | "stop"; readonly why: string };

/**
 * Small models loop: the same call again and again, or reading without ever changing anything.
 * The detector asks for one nudge when it first sees that, and a stop if it goes on.
 */
export class StuckDetector {
  readonly #repeatLimit: number;
  readonly #idleLimit: number;
  readonly #recent: string[] = [];
  #idleSteps = 0;
  #nudged = false;

  constructor(options: { repeatLimit?: number; idleLimit?: number } = {}) {
    this.#repeatLimit = options.repeatLimit ?? 3;
    this.#idleLimit = options.idleLimit ?? 12;
  }

  /** Records one step: the calls the model made and whether any of them changed the workspace. */
  observe(calls: readonly ToolCall[], changedWorkspace: boolean): StuckVerdict {
    for (const call of calls) this.#recent.push(`${call.name} ${stableJson(call.arguments)}`);
    this.#recent.splice(0, Math.max(0, this.#recent.length - this.#repeatLimit));
    this.#idleSteps = changedWorkspace ? 0 : this.#idleSteps + 1;
    const repeated = this.#recent.length === this.#repeatLimit && this.#recent.every((c) => c === this.#recent[0]);
    const why = repeated
      ? `the same call (${truncate(this.#recent[0]!)}) ${this.#repeatLimit} times in a row`
      : this.#idleSteps >= this.#idleLimit
        ? `${this.#idleSteps} steps without changing any file`
        : null;
    if (why === null) {
      if (changedWorkspace) this.#nudged = false;
      return { kind: "ok" };
    }
    if (!this.#nudged) {
      this.#nudged = true;
      this.#recent.length = 0;
      this.#idleSteps = 0;
      return { kind: "nudge", why };
    }
    return { kind: "stop", why };
  }
}

export function nudgeMessage(why: string): string {
  return `You seem to be stuck: ${why}. Do something different: change the file you need to change with edit_file or write_file, run the tests, or call finish and explain what blocks you.`;
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
}

function truncate(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}
