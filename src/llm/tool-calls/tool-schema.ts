import type { ToolSpec } from "../types.js";

/** A JSON Schema node, read defensively: tool schemas come from zod here, but also from tests and fixtures. */
export type SchemaNode = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The top-level properties of a tool's argument schema. */
export function schemaProperties(tool: ToolSpec): Record<string, SchemaNode> {
  const properties = tool.parameters.properties;
  if (!isPlainObject(properties)) return {};
  const result: Record<string, SchemaNode> = {};
  for (const [key, node] of Object.entries(properties)) if (isPlainObject(node)) result[key] = node;
  return result;
}

export function requiredProperties(tool: ToolSpec): string[] {
  const required = tool.parameters.required;
  return Array.isArray(required) ? required.filter((r): r is string => typeof r === "string") : [];
}

/** The JSON types a schema node admits (`string`, `integer`, …), looking through anyOf/oneOf, enum and const. */
export function schemaTypes(node: SchemaNode): Set<string> {
  const types = new Set<string>();
  const { type } = node;
  if (typeof type === "string") types.add(type);
  if (Array.isArray(type)) for (const t of type) if (typeof t === "string") types.add(t);
  for (const key of ["anyOf", "oneOf"] as const) {
    const branches = node[key];
    if (Array.isArray(branches))
      for (const branch of branches) if (isPlainObject(branch)) for (const t of schemaTypes(branch)) types.add(t);
  }
  const values = Array.isArray(node.enum) ? node.enum : "const" in node ? [node.const] : [];
  for (const v of values)
    types.add(
      v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "number" ? (Number.isInteger(v) ? "integer" : "number") : typeof v,
    );
  return types;
}
