import type { IncomingMessage, ServerResponse } from "node:http";
import { validateRequest } from "../github-openapi.js";
import { readBody } from "../http-body.js";
import { authenticate } from "./auth.js";
import type { FakeContext } from "./context.js";
import { DOCS_URL, HttpError } from "./errors.js";
import { answerGraphql } from "./graphql.js";
import type { RecordedRequest } from "./records.js";
import { reviewThreads } from "./review-comments.js";
import { handlers } from "./routes.js";
import { notImplemented, type Reply, type RouteContext } from "./routing.js";

export const API_PREFIX = "/api/v3";
/** Where Octokit sends GraphQL queries for a GitHub Enterprise base URL ending in /api/v3. */
const GRAPHQL_PATH = "/api/graphql";
const JSON_TYPE = "application/json; charset=utf-8";

/** Records the request, answers it, and turns a failure of the fake itself into a 500 and a violation. */
export async function handle(fake: FakeContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestUrl = new URL(request.url ?? "/", fake.url);
  const method = (request.method ?? "GET").toUpperCase();
  const rawPath = (request.url ?? "/").split("?")[0] ?? "/";
  const query = Object.fromEntries(requestUrl.searchParams);
  const authorization = request.headers.authorization;
  const record: RecordedRequest = {
    method,
    path: rawPath,
    query,
    body: undefined,
    authorization,
    timestamp: Date.now(),
    operationId: null,
    status: undefined,
  };
  fake.requests.push(record);
  const reply = await answer(fake, request, record).catch((error: unknown) => {
    fake.violations.push(
      `${method} ${record.path}: fake error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return { status: 500, json: { message: "fake GitHub failed" } } satisfies Reply;
  });
  record.status = reply.status;
  send(fake, response, reply);
}

async function answer(fake: FakeContext, request: IncomingMessage, record: RecordedRequest): Promise<Reply> {
  const { method } = record;
  const { violations } = fake;
  const text = await readBody(request);
  if (record.path === GRAPHQL_PATH && method === "POST") return answerGraphqlRequest(fake, text, record);
  if (!record.path.startsWith(`${API_PREFIX}/`)) {
    violations.push(`${method} ${record.path}: request outside ${API_PREFIX}`);
    return { status: 404, json: { message: "Not Found", documentation_url: DOCS_URL } };
  }
  record.path = record.path.slice(API_PREFIX.length);
  const complain = (problem: string) => violations.push(`${method} ${record.path}: ${problem}`);
  const parsed = parseBody(text, request.headers["content-type"]);
  if (parsed.error) {
    complain("request body is not valid JSON");
    return { status: 400, json: { message: "Problems parsing JSON", documentation_url: DOCS_URL } };
  }
  record.body = parsed.value;
  const validation = validateRequest({ method, path: record.path, query: record.query, body: record.body });
  record.operationId = validation.operationId;
  validation.problems.forEach(complain);
  if (validation.operationId === null || validation.template === null)
    return { status: 404, json: { message: "Not Found", documentation_url: DOCS_URL, status: "404" } };
  if (validation.problems.length > 0) {
    return { status: 422, json: { message: "Invalid request.", errors: validation.problems, documentation_url: DOCS_URL, status: "422" } };
  }
  const authProblem = fake.checkAuth ? authenticate(fake, validation.template, record.authorization) : null;
  if (authProblem !== null) {
    complain(`auth: ${authProblem}`);
    return { status: 401, json: { message: authProblem, documentation_url: DOCS_URL, status: "401" } };
  }
  const context: RouteContext = {
    method,
    path: record.path,
    params: validation.params,
    query: record.query,
    body: record.body,
    accept: request.headers.accept ?? "",
  };
  const injected = takeFailure(fake, validation.operationId);
  if (injected !== undefined)
    return { status: injected.status, json: { message: injected.message, documentation_url: DOCS_URL, status: String(injected.status) } };
  const handler = handlers[validation.operationId];
  if (handler === undefined) return notImplemented(fake, context, validation.operationId);
  try {
    return await handler(fake, context);
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, json: error.body };
    throw error;
  }
}

function answerGraphqlRequest(fake: FakeContext, text: string, record: RecordedRequest): Reply {
  record.operationId = "graphql";
  const parsed = parseBody(text, "application/json");
  record.body = parsed.value;
  const authProblem = fake.checkAuth ? authenticate(fake, "/graphql", record.authorization) : null;
  if (authProblem !== null) {
    fake.violations.push(`POST ${record.path}: auth: ${authProblem}`);
    return { status: 401, json: { message: authProblem, documentation_url: DOCS_URL } };
  }
  const injected = takeFailure(fake, "graphql");
  if (injected !== undefined) return { status: injected.status, json: { message: injected.message, documentation_url: DOCS_URL } };
  const answer = answerGraphql(parsed.error ? undefined : parsed.value, {
    threadsOf: (owner, name, number) => reviewThreads(fake, owner, name, number),
  });
  if (answer.violation !== undefined) fake.violations.push(`POST ${record.path}: ${answer.violation}`);
  if (answer.unimplemented !== undefined) fake.unimplemented.push(answer.unimplemented);
  return { status: answer.status, json: answer.json };
}

function takeFailure(fake: FakeContext, operationId: string): { status: number; message: string } | undefined {
  const queue = fake.failures.get(operationId);
  const next = queue?.[0];
  if (queue === undefined || next === undefined) return undefined;
  next.times -= 1;
  if (next.times <= 0) queue.shift();
  return next;
}

function send(fake: FakeContext, response: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = {
    "x-github-request-id": `FAKE:${(++fake.counters.request).toString(16).toUpperCase()}`,
    "x-github-api-version-selected": "2022-11-28",
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4999",
    "x-ratelimit-used": "1",
    "x-ratelimit-resource": "core",
    "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
    ...reply.headers,
  };
  if (reply.raw !== undefined) {
    response.writeHead(reply.status, {
      ...headers,
      "content-type": reply.raw.contentType,
      "content-length": String(reply.raw.data.length),
    });
    response.end(reply.raw.data);
    return;
  }
  if (reply.json === undefined) {
    response.writeHead(reply.status, headers);
    response.end();
    return;
  }
  const payload = Buffer.from(JSON.stringify(reply.json));
  response.writeHead(reply.status, {
    ...headers,
    "content-type": JSON_TYPE,
    "x-github-media-type": "github.v3; format=json",
    "content-length": String(payload.length),
  });
  response.end(payload);
}

function parseBody(text: string, contentType: string | undefined): { value: unknown; error: boolean } {
  if (text.trim() === "") return { value: undefined, error: false };
  // Markdown rendering and release uploads send text or bytes; everything else is JSON.
  if (contentType !== undefined && !/json/i.test(contentType)) return { value: text, error: false };
  try {
    return { value: JSON.parse(text) as unknown, error: false };
  } catch {
    return { value: text, error: true };
  }
}
