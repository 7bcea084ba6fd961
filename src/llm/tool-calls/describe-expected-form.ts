import type { ToolSpec } from "../types.js";
import { isPlainObject, requiredProperties, schemaProperties, schemaTypes, type SchemaNode } from "./tool-schema.js";

/**
 * The call a model should have written, for error messages that go back to it:
 * `{"name": "read_file", "arguments": {"path": "<path>"}} (optional: "start_line" integer, …)`.
 * Small models copy an example far more reliably than they follow a schema, so the message shows
 * one built from the required properties, with the optional ones named after it.
 */
export function describeExpectedForm(tool: ToolSpec): string {
  const properties = schemaProperties(tool);
  const required = requiredProperties(tool).filter((key) => key in properties);
  const example: Record<string, unknown> = {};
  for (const key of required) example[key] = exampleValue(key, properties[key] ?? {}, 0);
  const call = `{"name": ${JSON.stringify(tool.name)}, "arguments": ${render(example)}}`;
  const optional = Object.keys(properties)
    .filter((key) => !required.includes(key))
    .map((key) => `"${key}" ${typeLabel(properties[key] ?? {})}`);
  return optional.length > 0 ? `${call} (optional: ${optional.join(", ")})` : call;
}

function exampleValue(key: string, node: SchemaNode, depth: number): unknown {
  if ("const" in node) return node.const;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  if (Array.isArray(node.examples) && node.examples.length > 0) return node.examples[0];
  const types = schemaTypes(node);
  if (types.has("string")) return `<${key}>`;
  if (types.has("integer") || types.has("number")) return 1;
  if (types.has("boolean")) return true;
  if (types.has("array")) return isPlainObject(node.items) && depth < 3 ? [exampleValue(singular(key), node.items, depth + 1)] : [];
  if (types.has("object") && depth < 3) {
    const inner: Record<string, unknown> = {};
    const properties = isPlainObject(node.properties) ? node.properties : {};
    const required = Array.isArray(node.required) ? node.required : [];
    for (const k of required)
      if (typeof k === "string" && isPlainObject(properties[k])) inner[k] = exampleValue(k, properties[k], depth + 1);
    return inner;
  }
  return `<${key}>`;
}

function singular(key: string): string {
  return key.endsWith("s") && key.length > 1 ? key.slice(0, -1) : `${key} item`;
}

function typeLabel(node: SchemaNode): string {
  const types = [...schemaTypes(node)].filter((t) => t !== "null");
  return types.length > 0 ? types.join(" or ") : "value";
}

/** JSON with a space after `:` and `,`, the way the examples in model prompts are written. */
function render(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(render).join(", ")}]`;
  if (isPlainObject(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${render(v)}`)
      .join(", ")}}`;
  return JSON.stringify(value) ?? "null";
}
