import type { FakeContext } from "./context.js";

/** One request as a handler sees it, after authentication and validation against the description. */
export interface RouteContext {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  /** The token owner's login: whoever the request acts as. */
  doer: string;
}

export interface Reply {
  status: number;
  json?: unknown;
  raw?: { contentType: string; data: Buffer };
  headers?: Record<string, string>;
}

export type Handler = (fake: FakeContext, context: RouteContext) => Promise<Reply> | Reply;

/** Handlers by the operationId of Gitea's description. */
export type Handlers = Record<string, Handler>;

/** Gitea's `[api] DEFAULT_PAGING_NUM` and `MAX_RESPONSE_ITEMS`. */
const DEFAULT_PAGE_SIZE = 30;
const MAX_PAGE_SIZE = 50;

/**
 * One page of `items` as Gitea pages lists: `page` from 1, `limit` defaulting to 30 and capped
 * at 50, the total in `X-Total-Count` and the neighbours in `Link`.
 */
export function paginate<T>(fake: FakeContext, items: T[], context: RouteContext): { page: T[]; headers: Record<string, string> } {
  const asked = Number(context.query.limit ?? 0) || 0;
  const limit = asked <= 0 ? DEFAULT_PAGE_SIZE : Math.min(asked, MAX_PAGE_SIZE);
  const pageNumber = Math.max(Number(context.query.page ?? 1) || 1, 1);
  const lastPage = Math.max(Math.ceil(items.length / limit), 1);
  // Like Go's `url.Values.Encode`, the request's own parameters with `page` replaced, sorted by name.
  const link = (page: number, rel: string) => {
    const query = new URLSearchParams({ ...context.query, page: String(page) });
    query.sort();
    return `<${fake.apiBase}${context.path}?${query.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (pageNumber < lastPage) links.push(link(pageNumber + 1, "next"), link(lastPage, "last"));
  if (pageNumber > 1) links.push(link(1, "first"), link(pageNumber - 1, "prev"));
  const headers: Record<string, string> = { "x-total-count": String(items.length) };
  if (links.length > 0) headers.link = links.join(",");
  return { page: items.slice((pageNumber - 1) * limit, pageNumber * limit), headers };
}
