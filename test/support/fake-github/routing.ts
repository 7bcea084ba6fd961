import type { FakeContext } from "./context.js";
import { DOCS_URL } from "./errors.js";

/** One request as a handler sees it, after validation against the OpenAPI description. */
export interface RouteContext {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  accept: string;
}

export interface Reply {
  status: number;
  json?: unknown;
  raw?: { contentType: string; data: Buffer };
  headers?: Record<string, string>;
}

export type Handler = (fake: FakeContext, context: RouteContext) => Promise<Reply> | Reply;

/** Handlers by the operationId of GitHub's OpenAPI description. */
export type Handlers = Record<string, Handler>;

export function paginate<T>(fake: FakeContext, items: T[], context: RouteContext): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number(context.query.per_page ?? 30) || 30, 1), 100);
  const pageNumber = Math.max(Number(context.query.page ?? 1) || 1, 1);
  const lastPage = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (page: number, rel: string) => {
    const query = new URLSearchParams({ ...context.query, per_page: String(perPage), page: String(page) });
    return `<${fake.apiBase}${context.path}?${query.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (pageNumber > 1) links.push(link(pageNumber - 1, "prev"), link(1, "first"));
  if (pageNumber < lastPage) links.push(link(pageNumber + 1, "next"), link(lastPage, "last"));
  const headers: Record<string, string> = links.length > 0 ? { link: links.join(", ") } : {};
  return { page: items.slice((pageNumber - 1) * perPage, pageNumber * perPage), headers };
}

export function notImplemented(fake: FakeContext, context: RouteContext, operation: string): Reply {
  fake.unimplemented.push(`${operation}: ${context.method} ${context.path}`);
  return { status: 501, json: { message: `fake GitHub does not implement ${operation}`, documentation_url: DOCS_URL } };
}
