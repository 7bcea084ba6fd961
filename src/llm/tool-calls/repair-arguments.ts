import type { ToolSpec } from "../types.js";
import { coerceToSchema } from "./coerce-to-schema.js";
import { parseLenientJson } from "./lenient-json.js";
import { isPlainObject, requiredProperties, schemaProperties, schemaTypes } from "./tool-schema.js";

export type ArgumentsRepair =
  | { readonly ok: true; readonly value: Record<string, unknown>; readonly repairs: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** Keys small models wrap the real arguments in: `{"arguments": {"arguments": {...}}}`. */
const WRAPPER_KEYS = new Set(["arguments", "parameters", "args", "input", "params", "kwargs"]);
/** Enough unwrapping for a double-encoded string inside a doubly wrapped object; more is not a call. */
const MAX_ROUNDS = 8;

/**
 * Turns whatever a model gave as a tool's arguments into an arguments object, repairing before
 * refusing: a JSON string (also double-encoded), lenient JSON, an object wrapped in
 * `{"arguments": …}`, a one-element list, plain text for a tool with a single text parameter, and
 * values spelled as text where the schema wants numbers, booleans or lists. The result is not
 * validated against the schema; the tool does that and explains its own errors.
 */
export function repairArguments(raw: unknown, tool?: ToolSpec): ArgumentsRepair {
  const repairs: string[] = [];
  let value = raw;
  let decodedStrings = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (value === undefined || value === null) {
      value = {};
      continue;
    }
    if (typeof value === "string") {
      const text = value.trim();
      if (text === "") {
        value = {};
        continue;
      }
      if (!/^[{["'\u201c\u201d`]/.test(text)) {
        const wrapped = wrapSingleParameter(text, tool);
        if (!wrapped) return { ok: false, reason: "the arguments are plain text, not a JSON object" };
        repairs.push(wrapped.repair);
        value = wrapped.value;
        continue;
      }
      const parsed = parseLenientJson(text);
      if (!parsed.ok)
        return { ok: false, reason: `the arguments are not valid JSON: ${parsed.message} (at character ${parsed.offset + 1})` };
      repairs.push(...parsed.repairs);
      if (++decodedStrings === 2) repairs.push("decoded arguments that were JSON-encoded twice");
      value = parsed.value;
      continue;
    }
    if (Array.isArray(value)) {
      const only: unknown = value[0];
      if (value.length === 1 && isPlainObject(only)) {
        repairs.push("took the arguments object out of a one-element list");
        value = only;
        continue;
      }
      return { ok: false, reason: "the arguments are a list, not a JSON object" };
    }
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      const [key] = keys;
      if (keys.length === 1 && key !== undefined && WRAPPER_KEYS.has(key) && !(key in schemaPropertiesOf(tool))) {
        const inner = value[key];
        if (isPlainObject(inner) || typeof inner === "string") {
          repairs.push(`unwrapped arguments nested under "${key}"`);
          value = inner;
          continue;
        }
      }
      const coerced = tool ? coerceToSchema(value, tool) : { value, repairs: [] };
      return { ok: true, value: coerced.value, repairs: [...repairs, ...coerced.repairs] };
    }
    const wrapped = wrapSingleParameter(value, tool);
    if (!wrapped) return { ok: false, reason: `the arguments are a ${typeof value}, not a JSON object` };
    repairs.push(wrapped.repair);
    value = wrapped.value;
  }
  return { ok: false, reason: "the arguments are nested too deeply to be a call" };
}

function schemaPropertiesOf(tool: ToolSpec | undefined): Record<string, unknown> {
  return tool ? schemaProperties(tool) : {};
}

/**
 * `run_command` called with `"npm test"` instead of `{"command": "npm test"}`: when the tool has
 * exactly one parameter that could take the value, it is meant for that parameter.
 */
function wrapSingleParameter(value: unknown, tool: ToolSpec | undefined): { value: Record<string, unknown>; repair: string } | null {
  if (!tool) return null;
  const properties = schemaProperties(tool);
  const required = requiredProperties(tool);
  const candidates = required.length > 0 ? required : Object.keys(properties);
  const [only] = candidates;
  if (only === undefined || candidates.length !== 1 || required.length > 1) return null;
  const node = properties[only];
  const types = node ? schemaTypes(node) : new Set<string>();
  const fits =
    (typeof value === "string" && types.has("string")) ||
    (typeof value === "number" && (types.has("number") || (types.has("integer") && Number.isInteger(value)))) ||
    (typeof value === "boolean" && types.has("boolean"));
  return fits ? { value: { [only]: value }, repair: `used the bare value as "${only}"` } : null;
}
