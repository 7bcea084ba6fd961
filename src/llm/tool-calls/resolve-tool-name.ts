import type { ToolSpec } from "../types.js";

export type NameResolution =
  { readonly ok: true; readonly name: string; readonly repair: string | null } | { readonly ok: false; readonly message: string };

/**
 * Maps the name a model wrote to one of the known tools. Small models write `Read_File`,
 * `read-file` or `readFile` for `read_file`; those differ only in case and separators, so they are
 * mapped when exactly one tool matches. Anything else (a description used as a name, an invented
 * tool) is refused: guessing a different tool could run the wrong action.
 */
export function resolveToolName(written: string, tools: readonly ToolSpec[]): NameResolution {
  const name = written.trim();
  const exact = tools.find((t) => t.name === name);
  if (exact) return { ok: true, name: exact.name, repair: null };
  const key = canonicalToolName(name);
  const matches = key === "" ? [] : tools.filter((t) => canonicalToolName(t.name) === key);
  const [only] = matches;
  if (only && matches.length === 1) return { ok: true, name: only.name, repair: `read the tool name "${name}" as "${only.name}"` };
  const available = tools.map((t) => t.name).join(", ");
  if (matches.length > 1) {
    return {
      ok: false,
      message: `The tool name "${name}" is ambiguous: it could be ${matches.map((t) => t.name).join(" or ")}. Use the exact name. Available tools: ${available}.`,
    };
  }
  return { ok: false, message: `There is no tool named "${name}". Available tools: ${available}.` };
}

/** Lower case without separators: `Read_File`, `read-file` and `readFile` all become `readfile`. */
export function canonicalToolName(name: string): string {
  return name
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s_\-.]+/g, "");
}
