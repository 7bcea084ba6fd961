import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody } from "../http-body.js";
import { authenticate } from "./auth.js";
import type { FakeContext } from "./context.js";
import { errorBody, GiteaError, notFound, unprocessable } from "./errors.js";
import { validateRequest } from "./gitea-swagger.js";
import type { RecordedRequest } from "./records.js";
import { handlers } from "./routes.js";
import type { Reply, RouteContext } from "./routing.js";
import { missingScope, scopeCategories, scopeMessage } from "./scopes.js";

export const API_PREFIX = "/api/v1";
/** Gitea writes `application/json;charset=utf-8`; parsers read both spellings alike. */
const JSON_TYPE = "application/json; charset=utf-8";

/** Records the request, answers it, and turns a failure of the fake itself into a 500 and a violation. */
export async function handle(fake: FakeContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestUrl = new URL(request.url ?? "/", fake.url);
  const method = (request.method ?? "GET").toUpperCase();
  const record: RecordedRequest = {
    method,
    path: (request.url ?? "/").split("?")[0] ?? "/",
    query: Object.fromEntries(requestUrl.searchParams),
    body: undefined,
    authorization: request.headers.authorization,
    timestamp: Date.now(),
    operationId: null,
    status: undefined,
  };
  fake.requests.push(record);
  const reply = await answer(fake, request, record, requestUrl.searchParams).catch((error: unknown) => {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    fake.violations.push(`${method} ${record.path}: fake error: ${detail}`);
    return { status: 500, json: { message: "", url: `${fake.url}/api/swagger` } } satisfies Reply;
  });
  record.status = reply.status;
  send(response, reply);
}

/**
 * Gitea's order, which tests rely on: authentication (401), then the token's scopes for the
 * route (403), then the route itself (404 for one the fake does not serve) — all before the
 * repository is looked up, so a write
 * to a repository that does not exist answers 404 only to a token that may write — then the
 * handler. Contract problems are recorded whatever the answer, and answered 422 once the
 * request gets that far (Gitea would act on such a request; the fake stops it).
 */
async function answer(fake: FakeContext, request: IncomingMessage, record: RecordedRequest, search: URLSearchParams): Promise<Reply> {
  const { method } = record;
  const swaggerUrl = `${fake.url}/api/swagger`;
  const fail = (error: GiteaError): Reply => ({ status: error.status, json: errorBody(swaggerUrl, error) });
  const text = await readBody(request);
  if (!record.path.startsWith(`${API_PREFIX}/`)) {
    fake.violations.push(`${method} ${record.path}: request outside ${API_PREFIX}`);
    return fail(notFound());
  }
  record.path = record.path.slice(API_PREFIX.length);
  const complain = (problem: string) => fake.violations.push(`${method} ${record.path}: ${problem}`);
  const parsed = parseBody(text, request.headers["content-type"]);
  // Text that is not JSON stays a string, which the validator reports ("the request body must be JSON").
  record.body = parsed.value;
  const query: Record<string, string[]> = {};
  for (const [key, value] of search) query[key] = [...(query[key] ?? []), value];
  const validation = validateRequest({ method, path: record.path, query, body: record.body });
  record.operationId = validation.operationId;
  validation.problems.forEach(complain);
  const auth = authenticate(fake, record.authorization);
  if ("problem" in auth) {
    complain(`auth: ${auth.problem}`);
    return { status: 401, json: { message: auth.message, url: swaggerUrl } };
  }
  const { operationId, template } = validation;
  if (operationId === null || template === null) return fail(notFound());
  // Every route of the description exists on a real server: its scopes are checked whether or not the fake serves it.
  const scope = missingScope(auth.token.scopes, method, scopeCategories(template, fake.options.issueRoutesNeedRepositoryScope ?? false));
  if (scope !== null) {
    complain(`scope: the token lacks ${scope}`);
    return fail(new GiteaError(403, scopeMessage(scope)));
  }
  const handler = handlers[operationId];
  if (handler === undefined) {
    fake.unimplemented.push(`${operationId}: ${method} ${record.path}`);
    return fail(notFound());
  }
  if (validation.problems.length > 0) return fail(unprocessable(validation.problems.join("; ")));
  const injected = takeFailure(fake, operationId);
  if (injected !== undefined) return { status: injected.status, json: { message: injected.message, url: swaggerUrl } };
  const context: RouteContext = {
    method,
    path: record.path,
    params: validation.params,
    query: Object.fromEntries(search),
    body: record.body,
    doer: auth.token.login,
  };
  try {
    return await handler(fake, context);
  } catch (error) {
    if (error instanceof GiteaError) return fail(error);
    throw error;
  }
}

function takeFailure(fake: FakeContext, operationId: string): { status: number; message: string } | undefined {
  const queue = fake.failures.get(operationId);
  const next = queue?.[0];
  if (queue === undefined || next === undefined) return undefined;
  next.times -= 1;
  if (next.times <= 0) queue.shift();
  return next;
}

function send(response: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.headers?.["x-total-count"] !== undefined) headers["access-control-expose-headers"] = "X-Total-Count, Link";
  const payload = reply.raw?.data ?? (reply.json === undefined ? undefined : Buffer.from(JSON.stringify(reply.json)));
  if (payload === undefined) {
    response.writeHead(reply.status, headers);
    response.end();
    return;
  }
  headers["content-type"] = reply.raw?.contentType ?? JSON_TYPE;
  headers["content-length"] = String(payload.length);
  response.writeHead(reply.status, headers);
  response.end(payload);
}

function parseBody(text: string, contentType: string | undefined): { value: unknown } {
  if (text.trim() === "") return { value: undefined };
  // A form or text body stays a string too: the bot sends JSON.
  if (contentType !== undefined && !/json/i.test(contentType)) return { value: text };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { value: text };
  }
}
