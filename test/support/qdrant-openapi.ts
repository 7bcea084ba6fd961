import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

/** Qdrant's own OpenAPI description (master): every request a test sends to the fake is checked against it. */
export const qdrantOpenApiPath = path.resolve(fileURLToPath(new URL("../..", import.meta.url)), "../shared/contracts/qdrant-openapi.json");

type Json = unknown;
type SchemaObject = Record<string, Json>;

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: SchemaObject;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: SchemaObject }> };
  responses?: Record<string, { content?: Record<string, { schema?: SchemaObject }> }>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, Json>>;
}

interface Route {
  readonly template: string;
  readonly segments: readonly string[];
  readonly literals: number;
  readonly operations: ReadonlyMap<string, Operation>;
}

export interface QdrantRequestToValidate {
  readonly method: string;
  /** The path without its query string, percent-encoding intact. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Parsed JSON; undefined when the request had no body. */
  readonly body: unknown;
}

export interface QdrantRequestValidation {
  readonly operationId: string | null;
  readonly params: Readonly<Record<string, string>>;
  readonly problems: readonly string[];
}

const HTTP_METHODS = new Set(["get", "put", "post", "patch", "delete"]);

let cachedDocument: OpenApiDocument | undefined;
let cachedRoutes: Route[] | undefined;
let cachedAjv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function document(): OpenApiDocument {
  cachedDocument ??= JSON.parse(readFileSync(qdrantOpenApiPath, "utf8")) as OpenApiDocument;
  return cachedDocument;
}

function routes(): Route[] {
  cachedRoutes ??= Object.entries(document().paths).map(([template, item]) => {
    const segments = template.split("/").slice(1);
    const operations = new Map<string, Operation>();
    for (const [method, operation] of Object.entries(item)) if (HTTP_METHODS.has(method)) operations.set(method.toUpperCase(), operation);
    return { template, segments, literals: segments.filter((segment) => !segment.startsWith("{")).length, operations };
  });
  return cachedRoutes;
}

function matchRoute(route: Route, pathname: string): Record<string, string> | null {
  const parts = pathname.split("/").slice(1);
  if (parts.length !== route.segments.length) return null;
  const params: Record<string, string> = {};
  for (const [index, segment] of route.segments.entries()) {
    const part = parts[index] ?? "";
    const name = /^\{(.+)\}$/.exec(segment)?.[1];
    if (name === undefined) {
      if (part !== segment) return null;
    } else {
      params[name] = safeDecode(part);
    }
  }
  return params;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Finds the operation (a literal segment beats a parameter) and checks parameters and body. */
export function validateQdrantRequest(request: QdrantRequestToValidate): QdrantRequestValidation {
  const method = request.method.toUpperCase();
  const candidates = routes()
    .map((route) => ({ route, params: matchRoute(route, request.path) }))
    .filter((candidate): candidate is { route: Route; params: Record<string, string> } => candidate.params !== null);
  if (candidates.length === 0) return { operationId: null, params: {}, problems: [`no Qdrant operation has the path ${request.path}`] };
  const withMethod = candidates.filter(({ route }) => route.operations.has(method)).sort((a, b) => b.route.literals - a.route.literals);
  const best = withMethod[0];
  if (best === undefined) {
    const allowed = [...new Set(candidates.flatMap(({ route }) => [...route.operations.keys()]))].join(", ");
    return { operationId: null, params: {}, problems: [`no ${method} operation for ${request.path} (the path takes ${allowed})`] };
  }
  const operation = best.route.operations.get(method) as Operation;
  const problems = [...checkParameters(operation, best.params, request.query), ...checkBody(operation, request.body)];
  return { operationId: operation.operationId, params: best.params, problems };
}

function checkParameters(operation: Operation, params: Record<string, string>, query: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const declared = operation.parameters ?? [];
  for (const parameter of declared) {
    if (parameter.in !== "path" && parameter.in !== "query") continue;
    const value = parameter.in === "path" ? params[parameter.name] : query[parameter.name];
    if (value === undefined || (parameter.in === "path" && value === "")) {
      if (parameter.required === true) problems.push(`${parameter.in} parameter ${parameter.name} is required`);
      continue;
    }
    if (
      parameter.schema !== undefined &&
      !parameterValueValid(`${operation.operationId} ${parameter.in} ${parameter.name}`, parameter.schema, value)
    ) {
      problems.push(
        `${parameter.in} parameter ${parameter.name}=${JSON.stringify(value)} does not match its schema ${JSON.stringify(parameter.schema)}`,
      );
    }
  }
  const known = new Set(declared.filter((parameter) => parameter.in === "query").map((parameter) => parameter.name));
  for (const name of Object.keys(query))
    if (!known.has(name)) problems.push(`query parameter ${name} is not defined for ${operation.operationId}`);
  return problems;
}

/** A query string has no types: the value passes if its text, number or boolean reading fits the schema. */
function parameterValueValid(key: string, schema: SchemaObject, value: string): boolean {
  const validate = validator(key, schema);
  const readings: unknown[] = [value];
  if (/^-?\d+(\.\d+)?$/.test(value)) readings.push(Number(value));
  if (value === "true" || value === "false") readings.push(value === "true");
  return readings.some((reading) => validate(reading));
}

function checkBody(operation: Operation, body: unknown): string[] {
  const requestBody = operation.requestBody;
  if (requestBody === undefined) return body === undefined ? [] : [`${operation.operationId} takes no request body, got ${preview(body)}`];
  if (body === undefined) return requestBody.required === true ? [`${operation.operationId} requires a request body`] : [];
  const schema = requestBody.content?.["application/json"]?.schema;
  if (schema === undefined) return [];
  const validate = validator(`${operation.operationId} body`, schema);
  return validate(body) ? [] : (validate.errors ?? []).map((error) => formatError(error, "body"));
}

/** Checks a response the fake produced against the documented 200 schema, so the fake stays faithful. */
export function validateQdrantResponse(operationId: string, body: unknown): string[] {
  const operation = Object.values(document().paths)
    .flatMap((item) => Object.values(item))
    .find((candidate) => candidate.operationId === operationId);
  const schema = operation?.responses?.["200"]?.content?.["application/json"]?.schema;
  if (schema === undefined) return [`${operationId} documents no JSON response for 200`];
  const validate = validator(`${operationId} 200`, schema);
  return validate(body) ? [] : (validate.errors ?? []).map((error) => formatError(error, "response"));
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

function formatError(error: ErrorObject, label: string): string {
  const params = error.params as Record<string, unknown>;
  const where = `${label}${error.instancePath}`;
  if (error.keyword === "additionalProperties") return `${where} must not have property ${String(params.additionalProperty)}`;
  if (error.keyword === "enum" && Array.isArray(params.allowedValues))
    return `${where} must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
  return `${where} ${error.message ?? error.keyword}`;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function ajv(): Ajv {
  if (cachedAjv === undefined) {
    // Point ids are "an unsigned integer or a UUID": the one format whose check catches real
    // mistakes. The numeric formats (uint64, float, …) only annotate; `minimum` already says it.
    const ignored = ["uint", "float", "uint64", "uint32", "double", "date-time", "uint8", "int64", "binary", "uri", "partial-date-time"];
    cachedAjv = new Ajv({
      strict: false,
      allErrors: true,
      validateSchema: false,
      logger: false,
      formats: { uuid: UUID, ...Object.fromEntries(ignored.map((name) => [name, true])) },
    });
  }
  return cachedAjv;
}

function validator(key: string, schema: SchemaObject): ValidateFunction {
  let validate = validators.get(key);
  if (validate === undefined) {
    validate = ajv().compile(inlineSchema(schema));
    validators.set(key, validate);
  }
  return validate;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function resolvePointer(ref: string): Json {
  if (!ref.startsWith("#/")) throw new Error(`only local references are supported, got ${ref}`);
  let node: Json = document();
  for (const token of ref.slice(2).split("/")) {
    node = isObject(node) ? node[token.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
    if (node === undefined) throw new Error(`unresolvable reference ${ref}`);
  }
  return node;
}

const DATA_KEYWORDS = new Set(["example", "examples", "default", "enum", "const", "description", "title"]);
const SCHEMA_MAPS = new Set(["properties", "patternProperties"]);
/** Keywords that constrain a value; a schema with none of them beside `nullable` means "null". */
const CONSTRAINING = [
  "type",
  "$ref",
  "anyOf",
  "oneOf",
  "allOf",
  "properties",
  "items",
  "enum",
  "additionalProperties",
  "required",
  "format",
];

/**
 * Turns an OpenAPI 3.0 schema into a standalone JSON Schema: `#/components/...` references
 * become `#/definitions/dN` (only those reachable are copied), and `nullable` becomes an
 * explicit null. Qdrant writes optional fields as `anyOf: [{$ref: X}, {nullable: true}]`,
 * where the second branch alone means "or null"; read literally it would accept anything.
 */
function inlineSchema(schema: SchemaObject): SchemaObject {
  const keys = new Map<string, string>();
  const pending: string[] = [];
  const keyFor = (ref: string): string => {
    let key = keys.get(ref);
    if (key === undefined) {
      key = `d${keys.size}`;
      keys.set(ref, key);
      pending.push(ref);
    }
    return key;
  };
  const convert = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(convert);
    if (!isObject(node)) return node;
    if (node.nullable === true && !CONSTRAINING.some((keyword) => keyword in node)) return { type: "null" };
    const converted: SchemaObject = typeof node.$ref === "string" ? { $ref: `#/definitions/${keyFor(node.$ref)}` } : {};
    if (typeof node.$ref !== "string") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "nullable") continue;
        if (DATA_KEYWORDS.has(key)) converted[key] = value;
        else if (SCHEMA_MAPS.has(key) && isObject(value))
          converted[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, convert(sub)]));
        else converted[key] = convert(value);
      }
    }
    return node.nullable === true ? { anyOf: [converted, { type: "null" }] } : converted;
  };
  const root = convert(schema);
  const definitions: Record<string, Json> = {};
  for (let ref = pending.shift(); ref !== undefined; ref = pending.shift())
    definitions[keys.get(ref) as string] = convert(resolvePointer(ref));
  return { definitions, allOf: [root] };
}
