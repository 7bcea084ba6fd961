import { isPlainObject } from "./tool-schema.js";

/** A call as written, before its name is checked against the tools and its arguments repaired. */
export interface CallCandidate {
  readonly name: string;
  /** The arguments as written; meaningful only when `hasArguments`. */
  readonly arguments: unknown;
  readonly hasArguments: boolean;
  /** Other keys beside the name, which may be the arguments written flat: `{"name": "read_file", "path": "a"}`. */
  readonly rest: Record<string, unknown>;
}

/** Objects that carry calls inside them: `{"tool_calls": [...]}`, `{"tool_call": {...}}`. */
const CONTAINER_KEYS = ["tool_calls", "tool_call", "function_call", "function_calls", "calls"];
const NAME_KEYS = ["name", "tool", "tool_name", "toolName", "function", "function_name", "action"];
const ARGUMENT_KEYS = ["arguments", "parameters", "args", "input", "params", "action_input", "tool_input", "kwargs"];
/** Keys that describe a call rather than being part of its arguments. */
const BOOKKEEPING_KEYS = new Set(["id", "type", "call_id", "index"]);

/**
 * Recognizes the shapes models write calls in: `{"name", "arguments"}`, `{"name", "parameters"}`
 * (Llama), `{"function": {"name", "arguments"}}` and `{"type": "function", "function": …}`
 * (OpenAI), `{"tool", "args"}`, `{"function": "name", "params"}` (MemGPT-style), lists of those,
 * and containers holding them. Returns null for anything else, including tool definitions a model
 * echoed back (they have a description and a schema where the arguments would be).
 */
export function callCandidates(value: unknown): CallCandidate[] | null {
  if (Array.isArray(value)) {
    if (value.length === 0) return null;
    const all: CallCandidate[] = [];
    for (const item of value) {
      const found = callCandidates(item);
      // A list is calls only if every element is one; otherwise it is data that mentions a name.
      if (!found) return null;
      all.push(...found);
    }
    return all;
  }
  if (!isPlainObject(value)) return null;
  const keys = Object.keys(value).filter((k) => !BOOKKEEPING_KEYS.has(k));
  const [onlyKey] = keys;
  if (keys.length === 1 && onlyKey !== undefined && CONTAINER_KEYS.includes(onlyKey)) return callCandidates(value[onlyKey]);
  if (isPlainObject(value.function) && typeof value.function.name === "string") {
    return withinLimits(fromObject(value.function), value.function) ? [fromObject(value.function)] : null;
  }
  const candidate = fromObject(value);
  return withinLimits(candidate, value) ? [candidate] : null;
}

function fromObject(object: Record<string, unknown>): CallCandidate {
  const nameKey = NAME_KEYS.find((k) => typeof object[k] === "string" && object[k].trim() !== "");
  const argumentsKey = ARGUMENT_KEYS.find((k) => k in object);
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(object)) if (k !== nameKey && k !== argumentsKey && !BOOKKEEPING_KEYS.has(k)) rest[k] = v;
  return {
    name: nameKey ? (object[nameKey] as string) : "",
    arguments: argumentsKey ? object[argumentsKey] : undefined,
    hasArguments: argumentsKey !== undefined,
    rest,
  };
}

function withinLimits(candidate: CallCandidate, object: Record<string, unknown>): boolean {
  if (candidate.name === "") return false;
  if ("description" in object) return false;
  if (candidate.hasArguments && looksLikeSchema(candidate.arguments)) return false;
  return true;
}

/** `{"type": "object", "properties": {...}}` is a tool's parameter schema, not arguments. */
function looksLikeSchema(value: unknown): boolean {
  return isPlainObject(value) && value.type === "object" && isPlainObject(value.properties);
}
