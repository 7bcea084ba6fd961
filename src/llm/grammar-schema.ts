import type { GbnfJsonSchema } from "node-llama-cpp";

/*
 * JSON Schema → node-llama-cpp's grammar schema (GbnfJsonSchema), which knows a subset: type,
 * const, enum, oneOf, object properties/additionalProperties/min-maxProperties, array
 * items/prefixItems/min-maxItems, string min-maxLength and three formats, $defs with $ref. The
 * rest constrains values finer than a grammar can (pattern, minimum, …) and is dropped.
 */

type SchemaNode = Record<string, unknown>;
type Defs = Readonly<Record<string, unknown>>;

const ANY_JSON: GbnfJsonSchema = {
  oneOf: [{ type: ["string", "number", "boolean", "null"] }, { type: "array" }, { type: "object", additionalProperties: true }],
};
const GRAMMAR_FORMATS = new Set(["date-time", "time", "date"]);

/**
 * Converts a JSON Schema (as zod's `z.toJSONSchema` writes them) into the subset node-llama-cpp
 * turns into a grammar. node-llama-cpp writes every listed property, so an optional property that
 * does not admit null becomes nullable here, and `dropUnsetOptionals` removes those nulls again.
 */
export function toGrammarSchema(schema: Record<string, unknown>): GbnfJsonSchema {
  const defs = rootDefs(schema);
  const converted = convertNode(schema, defs);
  const names = Object.keys(defs);
  if (names.length === 0) return converted;
  const $defs = Object.fromEntries(names.map((name) => [name, convertNode(defs[name], defs)]));
  // $defs only sit on an object, array, oneOf or $ref node; anything else is wrapped in a oneOf.
  const carrier =
    "oneOf" in converted || "$ref" in converted || ("type" in converted && (converted.type === "object" || converted.type === "array"))
      ? converted
      : { oneOf: [converted] };
  return { ...carrier, $defs } as GbnfJsonSchema;
}

function rootDefs(schema: SchemaNode): Defs {
  return { ...(isNode(schema.definitions) ? schema.definitions : {}), ...(isNode(schema.$defs) ? schema.$defs : {}) };
}

function convertNode(input: unknown, defs: Defs): GbnfJsonSchema {
  if (!isNode(input)) return ANY_JSON;
  const node = flattenAllOf(input);
  const described = typeof node.description === "string" ? { description: node.description } : {};
  if (typeof node.$ref === "string") {
    const name = refName(node.$ref);
    return name !== undefined && name in defs ? ({ $ref: `#/$defs/${name}`, ...described } as GbnfJsonSchema) : ANY_JSON;
  }
  const branches = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined;
  if (branches) {
    const { anyOf: _a, oneOf: _o, description: _d, ...siblings } = node;
    return {
      oneOf: branches.map((branch) =>
        convertNode(Object.keys(siblings).length > 0 && isNode(branch) ? mergeNodes(siblings, branch) : branch, defs),
      ),
      ...described,
    };
  }
  if ("const" in node) return isPrimitive(node.const) ? { const: node.const, ...described } : ANY_JSON;
  if (Array.isArray(node.enum)) {
    const values = node.enum.filter(isPrimitive);
    return values.length > 0 ? { enum: values, ...described } : ANY_JSON;
  }
  const types = typesOf(node);
  if (types.length === 0) return ANY_JSON;
  if (types.length > 1) return { oneOf: types.map((type) => convertNode({ ...node, type }, defs)), ...described };
  switch (types[0]) {
    case "object": {
      const properties = isNode(node.properties) ? node.properties : {};
      const required = new Set(Array.isArray(node.required) ? node.required : []);
      const fields: Record<string, GbnfJsonSchema> = {};
      for (const [key, child] of Object.entries(properties)) {
        const converted = convertNode(child, defs);
        fields[key] = required.has(key) || admitsNull(child, defs) ? converted : { oneOf: [converted, { type: "null" }] };
      }
      // An absent additionalProperties allows any property; where properties are listed, writing
      // only those still matches, and keeps the model from inventing more.
      const extra = node.additionalProperties;
      const additionalProperties = isNode(extra)
        ? convertNode(extra, defs)
        : extra === true || (extra === undefined && !("properties" in node))
          ? true
          : undefined;
      return {
        type: "object",
        properties: fields,
        ...(additionalProperties !== undefined ? { additionalProperties } : {}),
        ...numberField(node, "minProperties"),
        ...numberField(node, "maxProperties"),
        ...described,
      };
    }
    case "array": {
      const tuple = Array.isArray(node.prefixItems) ? node.prefixItems : Array.isArray(node.items) ? node.items : undefined;
      const rest = isNode(node.items)
        ? node.items
        : Array.isArray(node.items) && isNode(node.additionalItems)
          ? node.additionalItems
          : undefined;
      const closed = tuple && (node.items === false || node.additionalItems === false);
      return {
        type: "array",
        ...(tuple ? { prefixItems: tuple.map((item) => convertNode(item, defs)) } : {}),
        ...(rest ? { items: convertNode(rest, defs) } : {}),
        ...numberField(node, "minItems"),
        ...(closed ? { maxItems: tuple.length } : numberField(node, "maxItems")),
        ...described,
      };
    }
    case "string":
      if (typeof node.format === "string" && GRAMMAR_FORMATS.has(node.format))
        return { type: "string", format: node.format as "date-time" | "time" | "date", ...described };
      return { type: "string", ...numberField(node, "minLength"), ...numberField(node, "maxLength"), ...described };
    case "number":
    case "integer":
    case "boolean":
    case "null":
      return { type: types[0], ...described };
    default:
      return ANY_JSON;
  }
}

/**
 * Removes the nulls written for optional properties that do not admit null (see `toGrammarSchema`),
 * so the reply matches the caller's schema. Text that does not parse is returned unchanged.
 */
export function dropUnsetOptionals(text: string, schema: Record<string, unknown>): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  let dropped = false;
  const defs = rootDefs(schema);
  const visit = (current: unknown, input: unknown, depth: number): unknown => {
    const node = resolveNode(input, defs);
    if (!node || depth > 64) return current;
    const branches = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined;
    if (branches) {
      const { anyOf: _a, oneOf: _o, ...siblings } = node;
      const branch = branches.map((b) => resolveNode(b, defs)).find((b) => b !== undefined && fits(current, mergeNodes(siblings, b), defs));
      return branch ? visit(current, mergeNodes(siblings, branch), depth + 1) : current;
    }
    if (Array.isArray(current)) {
      const tuple = Array.isArray(node.prefixItems) ? node.prefixItems : Array.isArray(node.items) ? node.items : [];
      return current.map((item, i) => visit(item, i < tuple.length ? tuple[i] : node.items, depth + 1));
    }
    if (!isNode(current)) return current;
    const properties = isNode(node.properties) ? node.properties : {};
    const required = new Set(Array.isArray(node.required) ? node.required : []);
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(current)) {
      const child = properties[key];
      if (item === null && child !== undefined && !required.has(key) && !admitsNull(child, defs)) {
        dropped = true;
        continue;
      }
      result[key] = visit(item, child ?? node.additionalProperties, depth + 1);
    }
    return result;
  };
  const cleaned = visit(value, schema, 0);
  return dropped ? JSON.stringify(cleaned) : text;
}

/** Whether a value could belong to a branch: its type, and the consts that tell tool calls apart. */
function fits(value: unknown, node: SchemaNode, defs: Defs): boolean {
  if ("const" in node) return value === node.const;
  if (Array.isArray(node.enum)) return node.enum.includes(value);
  const types = typesOf(node);
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  if (types.length > 0 && !types.some((t) => t === kind || (kind === "number" && t === "integer" && Number.isInteger(value)))) return false;
  if (isNode(value) && isNode(node.properties)) {
    for (const [key, child] of Object.entries(node.properties)) {
      const resolved = resolveNode(child, defs);
      if (key in value && resolved && "const" in resolved && value[key] !== resolved.const) return false;
    }
    if (node.additionalProperties === false && Object.keys(value).some((key) => !(key in (node.properties as SchemaNode)))) return false;
  }
  return true;
}

function admitsNull(input: unknown, defs: Defs, depth = 0): boolean {
  const node = resolveNode(input, defs);
  if (!node) return true;
  if (depth > 64) return false;
  if ("const" in node) return node.const === null;
  if (Array.isArray(node.enum)) return node.enum.includes(null);
  const branches = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined;
  if (branches) return branches.some((branch) => admitsNull(branch, defs, depth + 1));
  const types = typesOf(node);
  return types.length === 0 || types.includes("null");
}

function resolveNode(input: unknown, defs: Defs): SchemaNode | undefined {
  let node = isNode(input) ? flattenAllOf(input) : undefined;
  for (let hops = 0; node && typeof node.$ref === "string" && hops < 16; hops++) {
    const name = refName(node.$ref);
    const target = name === undefined ? undefined : defs[name];
    node = isNode(target) ? flattenAllOf(target) : undefined;
  }
  return node;
}

function refName(ref: string): string | undefined {
  return /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref)?.[1];
}

/** The declared types, or the ones its keywords imply (`properties` → object, …). */
function typesOf(node: SchemaNode): string[] {
  if (typeof node.type === "string") return [node.type];
  if (Array.isArray(node.type)) return node.type.filter((t): t is string => typeof t === "string");
  if ("properties" in node || "additionalProperties" in node || "required" in node) return ["object"];
  if ("items" in node || "prefixItems" in node) return ["array"];
  if ("minLength" in node || "maxLength" in node || "pattern" in node || "format" in node) return ["string"];
  if ("minimum" in node || "maximum" in node || "multipleOf" in node) return ["number"];
  return [];
}

/** allOf folded into its node; the common zod output is a single-element allOf around a $ref. */
function flattenAllOf(node: SchemaNode): SchemaNode {
  if (!Array.isArray(node.allOf)) return node;
  const { allOf, ...rest } = node;
  return allOf.filter(isNode).reduce<SchemaNode>((merged, part) => mergeNodes(merged, flattenAllOf(part)), rest);
}

function mergeNodes(a: SchemaNode, b: SchemaNode): SchemaNode {
  const merged: SchemaNode = { ...a, ...b };
  if (isNode(a.properties) && isNode(b.properties)) merged.properties = { ...a.properties, ...b.properties };
  if (isList(a.required) && isList(b.required)) merged.required = [...new Set([...a.required, ...b.required])];
  return merged;
}

function numberField<K extends string>(node: SchemaNode, key: K): Partial<Record<K, number>> {
  const value = node[key];
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? ({ [key]: value } as Partial<Record<K, number>>) : {};
}

/** `Array.isArray` narrows `unknown` to `any[]`; this keeps the elements unknown. */
function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPrimitive(value: unknown): value is string | number | boolean | null {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}
