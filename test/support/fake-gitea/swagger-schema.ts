import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { isObject, loadGiteaSwagger, type SchemaObject } from "./swagger-document.js";

/** The `$id` the description's definitions are registered under, so `#/definitions/X` refs resolve. */
const DEFINITIONS_ID = "gitea-swagger";
const DATA_KEYWORDS = new Set(["example", "enum", "default"]);

/**
 * Requests are checked closed: a property the schema does not define is an error, although
 * Gitea's JSON binding drops it silently (a misspelt `new_postion` would otherwise pass unseen).
 * Responses are checked open, since the real server adds fields of its own (`username` on users).
 */
export type SchemaMode = "request" | "response";

const instances = new Map<SchemaMode, Ajv>();
const validators = new Map<string, ValidateFunction>();

function ajvFor(mode: SchemaMode): Ajv {
  let ajv = instances.get(mode);
  if (ajv === undefined) {
    // Formats (`int64`, `date-time`) are annotations here; Gitea's binding does not check them either.
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false, logger: false });
    const definitions = Object.fromEntries(
      Object.entries(loadGiteaSwagger().definitions).map(([name, schema]) => [name, toJsonSchema(schema, mode)]),
    );
    ajv.addSchema({ $id: DEFINITIONS_ID, definitions });
    instances.set(mode, ajv);
  }
  return ajv;
}

/**
 * A Swagger 2.0 schema object is JSON Schema draft 4 with extras: references point into the
 * definitions registered above, `type: file` (uploads) has no JSON Schema counterpart. In request
 * mode every object with `properties` is closed unless it says otherwise; in response mode every
 * value may be null.
 */
function toJsonSchema(node: unknown, mode: SchemaMode): unknown {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, mode));
  if (!isObject(node)) return node;
  if (typeof node.$ref === "string") return { $ref: node.$ref.replace(/^#/, `${DEFINITIONS_ID}#`) };
  const result: SchemaObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("x-") || (key === "type" && value === "file")) continue;
    // Go renders a nil slice, map or pointer as null, which the description never declares.
    if (key === "type" && mode === "response" && typeof value === "string") result[key] = [value, "null"];
    else if (DATA_KEYWORDS.has(key)) result[key] = value;
    else if (key === "properties" && isObject(value))
      result[key] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, toJsonSchema(schema, mode)]));
    else result[key] = toJsonSchema(value, mode);
  }
  if (mode === "request" && isObject(node.properties) && node.additionalProperties === undefined) result.additionalProperties = false;
  return result;
}

/** Problems of `data` against a schema of the description, each prefixed with `label` and the JSON path. */
export function schemaProblems(key: string, schema: SchemaObject, data: unknown, label: string, mode: SchemaMode): string[] {
  const cacheKey = `${mode} ${key}`;
  let validate = validators.get(cacheKey);
  if (validate === undefined) {
    validate = ajvFor(mode).compile(toJsonSchema(schema, mode) as SchemaObject);
    validators.set(cacheKey, validate);
  }
  if (validate(data)) return [];
  return (validate.errors ?? []).map((error) => formatError(error, label));
}

function formatError(error: ErrorObject, label: string): string {
  const where = `${label}${error.instancePath}`;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "type") return `${where} must be ${String(params.type).replace(/,null$/, "")}`;
  if (error.keyword === "additionalProperties") return `${where} property ${String(params.additionalProperty)} is not defined`;
  if (error.keyword === "enum" && Array.isArray(params.allowedValues)) {
    return `${where} must be one of ${params.allowedValues.map((value) => JSON.stringify(value)).join(", ")}`;
  }
  return `${where} ${error.message ?? error.keyword}`;
}
