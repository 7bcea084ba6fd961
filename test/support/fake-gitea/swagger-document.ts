import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** Gitea's own Swagger 2.0 description, kept beside the repository with the other contracts. */
export const giteaSwaggerPath = path.resolve(repoRoot, "../shared/contracts/gitea-api.json");

export type SchemaObject = Record<string, unknown>;

/** A Swagger 2.0 parameter: path, query and header ones carry their type inline, the body one a schema. */
export interface SwaggerParameter {
  name: string;
  in: "path" | "query" | "header" | "body" | "formData";
  required?: boolean;
  type?: string;
  enum?: unknown[];
  items?: SchemaObject;
  collectionFormat?: string;
  schema?: SchemaObject;
}

export interface SwaggerResponse {
  $ref?: string;
  description?: string;
  schema?: SchemaObject;
}

export interface SwaggerOperation {
  operationId: string;
  parameters?: SwaggerParameter[];
  responses?: Record<string, SwaggerResponse>;
  produces?: string[];
}

export interface SwaggerDocument {
  basePath: string;
  paths: Record<string, Record<string, SwaggerOperation>>;
  definitions: Record<string, SchemaObject>;
  responses: Record<string, SwaggerResponse>;
}

let cached: SwaggerDocument | undefined;

/** Parsed once per process: the file is 650 kB and every request of every test is checked against it. */
export function loadGiteaSwagger(): SwaggerDocument {
  cached ??= JSON.parse(readFileSync(giteaSwaggerPath, "utf8")) as SwaggerDocument;
  return cached;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Follows local references (`#/definitions/…`, `#/responses/…`), chained ones included. */
export function resolveRef<T>(value: T | { $ref: string }): T {
  let current: unknown = value;
  while (isObject(current) && typeof current.$ref === "string") current = resolvePointer(current.$ref);
  return current as T;
}

function resolvePointer(ref: string): unknown {
  if (!ref.startsWith("#/")) throw new Error(`only local references are supported, got ${ref}`);
  let node: unknown = loadGiteaSwagger();
  for (const token of ref.slice(2).split("/")) {
    const key = decodeURIComponent(token).replace(/~1/g, "/").replace(/~0/g, "~");
    node = isObject(node) ? node[key] : undefined;
    if (node === undefined) throw new Error(`unresolvable reference ${ref}`);
  }
  return node;
}
