import { isObject, resolveRef, type SwaggerOperation, type SwaggerParameter, type SwaggerResponse } from "./swagger-document.js";
import { findOperation } from "./swagger-routes.js";
import { schemaProblems } from "./swagger-schema.js";

export { giteaSwaggerPath, loadGiteaSwagger } from "./swagger-document.js";
export { findOperation, type MatchOutcome, type RouteMatch } from "./swagger-routes.js";

export interface GiteaRequestToValidate {
  method: string;
  /** As sent, without `/api/v1`, percent-encoding intact; may carry a query string. */
  path: string;
  /** Repeated query parameters come as arrays. */
  query?: Record<string, string | string[] | undefined>;
  body?: unknown;
}

export interface GiteaRequestValidation {
  operationId: string | null;
  problems: string[];
  template: string | null;
  /** Decoded path parameters. */
  params: Record<string, string>;
}

export interface GiteaResponseToValidate {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

/**
 * Checks a request against Gitea's description: the operation exists, path parameters have their
 * declared types, query parameters are declared and well-formed, and the body matches its schema
 * with no property the schema lacks. Gitea itself ignores unknown query parameters and body
 * fields, which is exactly why a typo there goes unnoticed against a real server.
 */
export function validateRequest(request: GiteaRequestToValidate): GiteaRequestValidation {
  const questionMark = request.path.indexOf("?");
  const pathname = questionMark === -1 ? request.path : request.path.slice(0, questionMark);
  const query = mergeQuery(questionMark === -1 ? "" : request.path.slice(questionMark + 1), request.query ?? {});
  const { match, problems } = findOperation(request.method, pathname);
  if (match === null) return { operationId: null, problems, template: null, params: {} };
  const parameters = match.operation.parameters ?? [];
  problems.push(...checkPathParams(parameters, match.params));
  problems.push(...checkQuery(match.operation, parameters, query));
  problems.push(...checkBody(match.operation, parameters, request.body));
  return { operationId: match.operation.operationId, problems, template: match.template, params: match.params };
}

function mergeQuery(search: string, extra: Record<string, string | string[] | undefined>): Map<string, string[]> {
  const query = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(search)) query.set(key, [...(query.get(key) ?? []), value]);
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) query.set(key, Array.isArray(value) ? value : [value]);
  return query;
}

function checkPathParams(parameters: SwaggerParameter[], params: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const parameter of parameters.filter((candidate) => candidate.in === "path")) {
    const value = params[parameter.name];
    if (value === undefined || value === "") {
      problems.push(`path parameter ${parameter.name} is missing`);
      continue;
    }
    const problem = checkValue(value, parameter);
    if (problem !== null) problems.push(`path parameter ${parameter.name}=${JSON.stringify(value)} ${problem}`);
  }
  return problems;
}

function checkQuery(operation: SwaggerOperation, parameters: SwaggerParameter[], query: Map<string, string[]>): string[] {
  const problems: string[] = [];
  const declared = parameters.filter((parameter) => parameter.in === "query");
  for (const parameter of declared) {
    const values = query.get(parameter.name);
    if (values === undefined) {
      if (parameter.required === true) problems.push(`query parameter ${parameter.name} is required`);
      continue;
    }
    if (values.length > 1 && parameter.collectionFormat !== "multi") problems.push(`query parameter ${parameter.name} is repeated`);
    for (const value of values) {
      const problem = checkValue(value, parameter);
      if (problem !== null) problems.push(`query parameter ${parameter.name}=${JSON.stringify(value)} ${problem}`);
    }
  }
  const names = new Set(declared.map((parameter) => parameter.name));
  // `token`, `access_token` and `sudo` are accepted everywhere but are not the bot's business; report them too.
  for (const name of query.keys())
    if (!names.has(name)) problems.push(`query parameter ${name} is not defined for ${operation.operationId}`);
  return problems;
}

interface SimpleType {
  type?: string;
  enum?: unknown[];
  items?: Record<string, unknown>;
  collectionFormat?: string;
}

/** A parameter's string form against its declared type; the problem in words, or null. */
function checkValue(value: string, declared: SimpleType): string | null {
  if (declared.type === "array") {
    const items = (declared.items ?? {}) as SimpleType;
    const parts = declared.collectionFormat === "multi" ? [value] : value.split(",");
    for (const part of parts) {
      const problem = checkValue(part, items);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (declared.type === "integer" && !/^-?\d+$/.test(value)) return "must be an integer";
  if (declared.type === "number" && (value.trim() === "" || !Number.isFinite(Number(value)))) return "must be a number";
  if (declared.type === "boolean" && value !== "true" && value !== "false") return "must be true or false";
  if (Array.isArray(declared.enum) && !declared.enum.map(String).includes(value)) return `must be one of ${declared.enum.join(", ")}`;
  return null;
}

function checkBody(operation: SwaggerOperation, parameters: SwaggerParameter[], body: unknown): string[] {
  const parameter = parameters.find((candidate) => candidate.in === "body");
  const hasBody = body !== undefined && body !== "";
  if (parameter === undefined) {
    const empty = !hasBody || (isObject(body) && Object.keys(body).length === 0);
    return empty ? [] : [`${operation.operationId} takes no request body`];
  }
  if (!hasBody) return parameter.required === true ? ["a request body is required"] : [];
  if (typeof body === "string") return ["the request body must be JSON"];
  if (parameter.schema === undefined) return [];
  return schemaProblems(`${operation.operationId} body`, parameter.schema, body, "body", "request");
}

/**
 * Holds the fake's own answers to the documented schema for that status, checked open (the real
 * server adds fields such as `username`). An undocumented status is a problem too.
 */
export function validateResponse(response: GiteaResponseToValidate): string[] {
  const { match } = findOperation(response.method, response.path);
  if (match === null) return [`no operation for ${response.method} ${response.path}`];
  const documented = match.operation.responses?.[String(response.status)];
  if (documented === undefined) return [`${match.operation.operationId} does not document status ${response.status}`];
  const schema = resolveRef<SwaggerResponse>(documented).schema;
  if (schema === undefined) return [];
  return schemaProblems(`${match.operation.operationId} ${response.status}`, schema, response.body, "response", "response");
}
