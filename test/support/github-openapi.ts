import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export const githubOpenApiPath = path.resolve(repoRoot, "../shared/contracts/github-api.json");

type Json = unknown;
type SchemaObject = Record<string, Json>;

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: SchemaObject;
  "x-multi-segment"?: boolean;
}

interface MediaType {
  schema?: SchemaObject;
}

interface Operation {
  operationId: string;
  deprecated?: boolean;
  parameters?: Array<Parameter | { $ref: string }>;
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses?: Record<string, { $ref?: string; content?: Record<string, MediaType> }>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, Json>>;
}

/** Segment kinds, ordered by how specific they are: a literal beats a parameter, which beats a multi-segment one. */
const LITERAL = 2;
const PARAM = 1;
const MULTI_SEGMENT = 0;

interface Route {
  template: string;
  regex: RegExp;
  paramNames: string[];
  multiSegment: boolean[];
  specificity: number[];
  operations: Map<string, Operation>;
}

export interface RouteMatch {
  template: string;
  operation: Operation;
  params: Record<string, string>;
}

export interface RequestToValidate {
  method: string;
  /** The path as sent, without the `/api/v3` prefix; percent-encoding intact. May carry a query string. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
}

export interface RequestValidation {
  operationId: string | null;
  problems: string[];
  template: string | null;
  /** Decoded path parameters. */
  params: Record<string, string>;
}

export interface ResponseToValidate {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

const HTTP_METHODS = new Set(["get", "put", "post", "patch", "delete", "head", "options"]);

let cachedDocument: OpenApiDocument | undefined;
let cachedRoutes: Route[] | undefined;
let cachedAjv: Ajv | undefined;
const bodyValidators = new Map<string, ValidateFunction>();
const responseValidators = new Map<string, ValidateFunction>();

export function loadGitHubOpenApi(): OpenApiDocument {
  cachedDocument ??= JSON.parse(readFileSync(githubOpenApiPath, "utf8")) as OpenApiDocument;
  return cachedDocument;
}

function routes(): Route[] {
  cachedRoutes ??= Object.entries(loadGitHubOpenApi().paths).map(([template, item]) => buildRoute(template, item));
  return cachedRoutes;
}

function buildRoute(template: string, item: Record<string, Operation>): Route {
  const operations = new Map<string, Operation>();
  for (const [method, operation] of Object.entries(item)) {
    if (HTTP_METHODS.has(method)) operations.set(method.toUpperCase(), operation);
  }
  const multiNames = multiSegmentParamNames(operations);
  const paramNames: string[] = [];
  const multiSegment: boolean[] = [];
  const specificity: number[] = [];
  const pattern = template
    .split("/")
    .slice(1)
    .map((segment) => {
      const whole = /^\{([^}]+)\}$/.exec(segment);
      if (whole?.[1] !== undefined) {
        const multi = multiNames.has(whole[1]);
        paramNames.push(whole[1]);
        multiSegment.push(multi);
        specificity.push(multi ? MULTI_SEGMENT : PARAM);
        return multi ? "(.+)" : "([^/]+)";
      }
      if (!segment.includes("{")) {
        specificity.push(LITERAL);
        return escapeRegex(segment);
      }
      // A segment mixing text and parameters, like `{base}...{head}`, ranks as a parameter.
      specificity.push(PARAM);
      return segment
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const name = /^\{([^}]+)\}$/.exec(part)?.[1];
          if (name === undefined) return escapeRegex(part);
          paramNames.push(name);
          multiSegment.push(false);
          return "([^/]+?)";
        })
        .join("");
    })
    .join("/");
  return { template, regex: new RegExp(`^/${pattern}$`), paramNames, multiSegment, specificity, operations };
}

/** GitHub marks parameters that may contain `/` (branch names, file paths, refs) with `x-multi-segment`. */
function multiSegmentParamNames(operations: Map<string, Operation>): Set<string> {
  const names = new Set<string>();
  for (const operation of operations.values()) {
    for (const parameter of resolvedParameters(operation)) {
      if (parameter.in === "path" && parameter["x-multi-segment"] === true) names.add(parameter.name);
    }
  }
  return names;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compareRoutes(a: Route, b: Route): number {
  const length = Math.min(a.specificity.length, b.specificity.length);
  for (let index = 0; index < length; index++) {
    const difference = (b.specificity[index] ?? 0) - (a.specificity[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return b.specificity.length - a.specificity.length;
}

function compareOperations(method: string) {
  return (a: Route, b: Route): number => {
    const bySpecificity = compareRoutes(a, b);
    if (bySpecificity !== 0) return bySpecificity;
    // `/compare/{base}...{head}` and `/compare/{basehead}` match the same paths; prefer the one not deprecated.
    return Number(a.operations.get(method)?.deprecated === true) - Number(b.operations.get(method)?.deprecated === true);
  };
}

function splitPathAndQuery(rawPath: string): { pathname: string; query: Record<string, string> } {
  const questionMark = rawPath.indexOf("?");
  if (questionMark === -1) return { pathname: rawPath, query: {} };
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawPath.slice(questionMark + 1))) query[key] = value;
  return { pathname: rawPath.slice(0, questionMark), query };
}

interface MatchOutcome {
  match: RouteMatch | null;
  problems: string[];
}

export function findOperation(method: string, rawPath: string): MatchOutcome {
  const upperMethod = method.toUpperCase();
  const { pathname } = splitPathAndQuery(rawPath);
  const candidates = routes().filter((route) => route.regex.test(pathname));
  if (candidates.length === 0) return { match: null, problems: [`no GitHub operation has the path ${pathname}`] };
  const withMethod = candidates.filter((route) => route.operations.has(upperMethod)).sort(compareOperations(upperMethod));
  const best = withMethod[0];
  if (best === undefined) {
    const allowed = [...new Set(candidates.flatMap((route) => [...route.operations.keys()]))].join(", ");
    return { match: null, problems: [`no ${upperMethod} operation for ${pathname} (the path takes ${allowed})`] };
  }
  const { params, problems } = extractParams(best, pathname);
  const operation = best.operations.get(upperMethod) as Operation;
  return { match: { template: best.template, operation, params }, problems };
}

function extractParams(route: Route, pathname: string): { params: Record<string, string>; problems: string[] } {
  const values = route.regex.exec(pathname)?.slice(1) ?? [];
  const params: Record<string, string> = {};
  const problems: string[] = [];
  route.paramNames.forEach((name, index) => {
    const raw = values[index] ?? "";
    try {
      params[name] = route.multiSegment[index] === true ? raw.split("/").map(decodeURIComponent).join("/") : decodeURIComponent(raw);
    } catch {
      params[name] = raw;
      problems.push(`path parameter ${name} is not valid percent-encoding: ${raw}`);
    }
  });
  return { params, problems };
}

export function validateRequest(request: RequestToValidate): RequestValidation {
  const { pathname, query: queryInPath } = splitPathAndQuery(request.path);
  const query = { ...queryInPath, ...definedEntries(request.query ?? {}) };
  const { match, problems } = findOperation(request.method, pathname);
  if (match === null) return { operationId: null, problems, template: null, params: {} };
  const { operation } = match;
  problems.push(...checkPathParams(operation, match.params));
  problems.push(...checkQuery(operation, query));
  problems.push(...checkBody(operation, request.body));
  return { operationId: operation.operationId, problems, template: match.template, params: match.params };
}

function definedEntries(record: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) result[key] = value;
  return result;
}

function resolveRef<T>(value: T | { $ref: string }): T {
  let current: unknown = value;
  // References may chain (a parameter pointing at a parameter); follow them all.
  while (isObject(current) && typeof current.$ref === "string") current = resolvePointer(current.$ref);
  return current as T;
}

function resolvePointer(ref: string): unknown {
  if (!ref.startsWith("#/")) throw new Error(`only local references are supported, got ${ref}`);
  let node: unknown = loadGitHubOpenApi();
  for (const token of ref.slice(2).split("/")) {
    const key = decodeURIComponent(token).replace(/~1/g, "/").replace(/~0/g, "~");
    node = isObject(node) ? node[key] : undefined;
    if (node === undefined) throw new Error(`unresolvable reference ${ref}`);
  }
  return node;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function resolvedParameters(operation: Operation): Parameter[] {
  return (operation.parameters ?? []).map((parameter) => resolveRef<Parameter>(parameter));
}

function checkPathParams(operation: Operation, params: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const parameter of resolvedParameters(operation)) {
    if (parameter.in !== "path") continue;
    const value = params[parameter.name];
    if (value === undefined || value === "") {
      problems.push(`path parameter ${parameter.name} is missing`);
      continue;
    }
    const problem = checkParamValue(value, parameter.schema);
    if (problem !== null) problems.push(`path parameter ${parameter.name}=${JSON.stringify(value)} ${problem}`);
  }
  return problems;
}

function checkQuery(operation: Operation, query: Record<string, string>): string[] {
  const problems: string[] = [];
  const declared = resolvedParameters(operation).filter((parameter) => parameter.in === "query");
  const names = new Set(declared.map((parameter) => parameter.name));
  for (const parameter of declared) {
    const value = query[parameter.name];
    if (value === undefined) {
      if (parameter.required === true) problems.push(`query parameter ${parameter.name} is required`);
      continue;
    }
    const problem = checkParamValue(value, parameter.schema);
    if (problem !== null) problems.push(`query parameter ${parameter.name}=${JSON.stringify(value)} ${problem}`);
  }
  // GitHub silently ignores unknown query parameters, which hides misspelt filters; report them.
  for (const name of Object.keys(query)) {
    const bare = name.endsWith("[]") ? name.slice(0, -2) : name;
    if (!names.has(bare)) problems.push(`query parameter ${name} is not defined for ${operation.operationId}`);
  }
  return problems;
}

/** Checks a parameter's string form against its schema; returns a description of the problem or null. */
function checkParamValue(value: string, rawSchema: SchemaObject | undefined): string | null {
  if (rawSchema === undefined) return null;
  const schema = resolveRef<SchemaObject>(rawSchema);
  const alternatives = (schema.oneOf ?? schema.anyOf) as SchemaObject[] | undefined;
  if (Array.isArray(alternatives)) {
    const failures = alternatives.map((alternative) => checkParamValue(value, alternative));
    return failures.some((failure) => failure === null) ? null : failures.join(" and ");
  }
  if (schema.type === "array") {
    const items = isObject(schema.items) ? schema.items : undefined;
    for (const item of value.split(",")) {
      const problem = checkParamValue(item, items);
      if (problem !== null) return problem;
    }
    return null;
  }
  const typeProblem = checkScalarType(value, schema.type);
  if (typeProblem !== null) return typeProblem;
  if (Array.isArray(schema.enum) && !schema.enum.map(String).includes(value)) {
    return `must be one of ${schema.enum.map(String).join(", ")}`;
  }
  if (typeof schema.pattern === "string" && !safeRegexTest(schema.pattern, value)) return `must match ${schema.pattern}`;
  return null;
}

function checkScalarType(value: string, type: unknown): string | null {
  switch (type) {
    case "integer":
      return /^-?\d+$/.test(value) ? null : "must be an integer";
    case "number":
      return value.trim() !== "" && Number.isFinite(Number(value)) ? null : "must be a number";
    case "boolean":
      return value === "true" || value === "false" ? null : "must be true or false";
    default:
      return null;
  }
}

function safeRegexTest(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return true;
  }
}

function checkBody(operation: Operation, body: unknown): string[] {
  const requestBody = operation.requestBody;
  const hasBody = body !== undefined && body !== "";
  if (requestBody === undefined) {
    const empty = !hasBody || (isObject(body) && Object.keys(body).length === 0);
    return empty ? [] : [`${operation.operationId} takes no request body, got ${preview(body)}`];
  }
  const jsonSchema = requestBody.content?.["application/json"]?.schema;
  if (!hasBody) return requestBody.required === true ? ["a request body is required"] : [];
  if (jsonSchema === undefined) return [];
  if (typeof body === "string") return ["the request body must be JSON"];
  return [...schemaProblems(bodyValidator(operation.operationId, jsonSchema), body, "body"), ...unknownProperties(jsonSchema, body)];
}

function preview(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/** GitHub ignores body fields it does not know, which hides misspelt options; report top-level ones. */
function unknownProperties(rawSchema: SchemaObject, body: unknown): string[] {
  const schema = resolveRef<SchemaObject>(rawSchema);
  if (!isObject(body) || !isObject(schema.properties)) return [];
  if (schema.additionalProperties !== undefined || schema.allOf || schema.anyOf || schema.oneOf) return [];
  const known = new Set(Object.keys(schema.properties));
  return Object.keys(body)
    .filter((key) => !known.has(key))
    .map((key) => `body property ${key} is not defined for this operation`);
}

function schemaProblems(validate: ValidateFunction, data: unknown, label: string): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map((error) => formatError(error, label));
}

function formatError(error: ErrorObject, label: string): string {
  const where = `${label}${error.instancePath}`;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "enum" && Array.isArray(params.allowedValues)) {
    return `${where} must be one of ${params.allowedValues.map((value) => JSON.stringify(value)).join(", ")}`;
  }
  if (error.keyword === "additionalProperties") return `${where} must not have property ${String(params.additionalProperty)}`;
  return `${where} ${error.message ?? error.keyword}`;
}

function ajv(): Ajv {
  // Formats are annotations here (`repo.nwo`, `int64`, …); GitHub's own format rules are not published.
  cachedAjv ??= new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false, logger: false });
  return cachedAjv;
}

function bodyValidator(operationId: string, schema: SchemaObject): ValidateFunction {
  let validate = bodyValidators.get(operationId);
  if (validate === undefined) {
    validate = ajv().compile(inlineSchema(schema));
    bodyValidators.set(operationId, validate);
  }
  return validate;
}

const DATA_KEYWORDS = new Set(["example", "examples", "default", "enum", "const"]);
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions"]);

/**
 * Copies an OpenAPI schema into a standalone JSON Schema: `#/components/...` references become
 * `#/definitions/dN` (only those reachable are copied, so compiling stays cheap), and OpenAPI 3.0
 * `nullable: true` becomes `anyOf [schema, null]`. Ajv's own `nullable` support rejects the form
 * without `type`, and would still apply `enum` to null; GitHub uses both.
 */
function inlineSchema(schema: SchemaObject): SchemaObject {
  const keys = new Map<string, string>();
  const pending: string[] = [];
  const definitions: Record<string, Json> = {};
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
    const converted = typeof node.$ref === "string" ? { $ref: `#/definitions/${keyFor(node.$ref)}` } : convertKeywords(node, convert);
    return node.nullable === true ? { anyOf: [converted, { type: "null" }] } : converted;
  };
  const root = convert(schema);
  for (let ref = pending.shift(); ref !== undefined; ref = pending.shift()) {
    definitions[keys.get(ref) as string] = convert(resolvePointer(ref));
  }
  return { definitions, allOf: [root] };
}

function convertKeywords(node: Record<string, Json>, convert: (node: Json) => Json): SchemaObject {
  const result: SchemaObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "nullable") continue;
    if (DATA_KEYWORDS.has(key)) result[key] = value;
    else if (SCHEMA_MAPS.has(key) && isObject(value)) result[key] = mapValues(value, convert);
    else result[key] = convert(value);
  }
  return result;
}

function mapValues(record: Record<string, Json>, convert: (node: Json) => Json): Record<string, Json> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, convert(value)]));
}

/**
 * Checks a response the fake produced against the documented schema for that status, so the fake
 * itself stays faithful. Returns problems; an undocumented status is a problem too.
 */
export function validateResponse(response: ResponseToValidate): string[] {
  const { match } = findOperation(response.method, response.path);
  if (match === null) return [`no operation for ${response.method} ${response.path}`];
  const documented = match.operation.responses?.[String(response.status)];
  if (documented === undefined) return [`${match.operation.operationId} does not document status ${response.status}`];
  const schema = resolveRef(documented).content?.["application/json"]?.schema;
  if (schema === undefined) return [];
  const key = `${match.operation.operationId} ${response.status}`;
  let validate = responseValidators.get(key);
  if (validate === undefined) {
    validate = ajv().compile(inlineSchema(schema));
    responseValidators.set(key, validate);
  }
  return schemaProblems(validate, response.body, "response");
}
