import type { ToolSpec } from "../types.js";
import { parseLenientJson } from "./lenient-json.js";
import { isPlainObject, schemaProperties, schemaTypes } from "./tool-schema.js";

/**
 * Converts top-level argument values to the types the tool's schema declares, when the value is
 * a plain spelling of that type: `"5"` for an integer, `"True"` for a boolean, `"['a', 'b']"` for
 * a list. The XML call format of Qwen3-Coder carries every value as text, and small models quote
 * numbers in JSON too. Values that do not read cleanly are left alone for the tool's own
 * validation to report.
 */
export function coerceToSchema(args: Record<string, unknown>, tool: ToolSpec): { value: Record<string, unknown>; repairs: string[] } {
  const properties = schemaProperties(tool);
  const value: Record<string, unknown> = { ...args };
  const repairs: string[] = [];
  for (const [key, raw] of Object.entries(args)) {
    const node = properties[key];
    if (!node) continue;
    const types = schemaTypes(node);
    if (types.size === 0) continue;
    const coerced = coerceValue(raw, types);
    if (coerced !== NO_CHANGE) {
      value[key] = coerced;
      repairs.push(`read "${key}" as ${describe(coerced)}`);
    }
  }
  return { value, repairs };
}

const NO_CHANGE = Symbol("no change");

function coerceValue(raw: unknown, types: Set<string>): unknown {
  if (typeof raw === "number" && types.has("string") && !types.has("number") && !types.has("integer")) return String(raw);
  if (typeof raw !== "string" || types.has("string")) return NO_CHANGE;
  const text = raw.trim();
  if ((types.has("integer") || types.has("number")) && /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text)) {
    const n = Number(text);
    if (types.has("number") || Number.isInteger(n)) return n;
  }
  if (types.has("boolean") && /^(?:true|false)$/i.test(text)) return text.toLowerCase() === "true";
  if (types.has("null") && /^(?:null|none)$/i.test(text)) return null;
  if (types.has("array") || types.has("object")) {
    const parsed = parseLenientJson(text);
    if (parsed.ok && ((types.has("array") && Array.isArray(parsed.value)) || (types.has("object") && isPlainObject(parsed.value))))
      return parsed.value;
  }
  return NO_CHANGE;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
