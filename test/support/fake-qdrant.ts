import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { matchesFilter, normalizeId, UnsupportedByFakeError, type FakePoint, type TextIndexParams } from "./fake-qdrant-filter.js";
import { validateQdrantRequest, validateQdrantResponse } from "./qdrant-openapi.js";
import { readBody, sendJson } from "./http-body.js";

export interface FakeQdrant {
  /** http://127.0.0.1:<port>, for `new QdrantClient({ url })`. */
  readonly url: string;
  /**
   * Every request (and every answer of the fake's) that does not match Qdrant's OpenAPI
   * description, and every use of something the fake does not implement. A test asserts it
   * stays empty; the offending request was also answered with an error.
   */
  readonly violations: string[];
  readonly requests: Array<{ method: string; path: string; operationId: string | null }>;
  collectionNames(): string[];
  close(): Promise<void>;
}

interface Collection {
  readonly size: number;
  readonly distance: "Cosine" | "Dot";
  readonly points: Map<string | number, FakePoint>;
  readonly textIndexes: Map<string, TextIndexParams>;
  readonly payloadSchema: Map<string, unknown>;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

type Json = Record<string, unknown>;
type Handler = (call: { params: Record<string, string>; body: Json }) => Reply;

/** Thrown inside a handler: becomes Qdrant's error shape with this status. */
class QdrantHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A Qdrant stand-in over node:http for the endpoints the index store uses, with real semantics
 * (in-memory points, cosine and dot scoring, filters, full-text indexes, scroll paging).
 * Every request is validated against `../shared/contracts/qdrant-openapi.json` first.
 *
 * @example
 * const qdrant = await startFakeQdrant();
 * const store = new QdrantIndexStore({ url: qdrant.url });
 * … expect(qdrant.violations).toEqual([]);
 */
export async function startFakeQdrant(): Promise<FakeQdrant> {
  const collections = new Map<string, Collection>();
  const violations: string[] = [];
  const requests: FakeQdrant["requests"] = [];
  let operation = 0;
  const handlers = makeHandlers(collections, () => ++operation);

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      violations.push(`the fake failed on ${request.method} ${request.url}: ${String(error)}`);
      sendJson(response, 500, errorBody(String(error)));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://fake");
    const method = request.method ?? "GET";
    const raw = await readBody(request);
    let body: unknown;
    if (raw !== "") {
      try {
        body = JSON.parse(raw);
      } catch {
        violations.push(`${method} ${url.pathname}: the body is not JSON`);
        return sendJson(response, 400, errorBody("Format error in JSON body"));
      }
    }
    const query = Object.fromEntries(url.searchParams);
    const validation = validateQdrantRequest({ method, path: url.pathname, query, body });
    requests.push({ method, path: url.pathname, operationId: validation.operationId });
    if (validation.problems.length > 0 || validation.operationId === null) {
      const problems = validation.problems.map((problem) => `${method} ${url.pathname}: ${problem}`);
      violations.push(...problems);
      return sendJson(
        response,
        validation.operationId === null ? 404 : 422,
        errorBody(`request does not match Qdrant's OpenAPI description: ${problems.join("; ")}`),
      );
    }
    const handler = handlers[validation.operationId];
    if (handler === undefined) {
      violations.push(`${method} ${url.pathname}: the fake does not implement ${validation.operationId}`);
      return sendJson(response, 501, errorBody(`not implemented by the fake: ${validation.operationId}`));
    }
    let reply: Reply;
    try {
      reply = handler({ params: validation.params, body: (body ?? {}) as Json });
    } catch (error) {
      if (error instanceof UnsupportedByFakeError) {
        violations.push(`${method} ${url.pathname}: ${error.message}`);
        return sendJson(response, 501, errorBody(error.message));
      }
      if (error instanceof QdrantHttpError) return sendJson(response, error.status, errorBody(error.message));
      throw error;
    }
    if (reply.status === 200) {
      for (const problem of validateQdrantResponse(validation.operationId, reply.body))
        violations.push(`the fake's answer to ${validation.operationId}: ${problem}`);
    }
    sendJson(response, reply.status, reply.body);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    violations,
    requests,
    collectionNames: () => [...collections.keys()],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function makeHandlers(collections: Map<string, Collection>, nextOperation: () => number): Record<string, Handler> {
  const ok = (result: unknown): Reply => ({ status: 200, body: { result, status: "ok", time: 0.0001 } });
  const updated = (): Reply => ok({ operation_id: nextOperation(), status: "completed" });
  const collectionOf = (params: Record<string, string>): Collection => {
    const name = params.collection_name ?? "";
    const collection = collections.get(name);
    if (collection === undefined) throw new QdrantHttpError(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return collection;
  };
  const checkVector = (collection: Collection, vector: unknown): number[] => {
    if (!Array.isArray(vector) || !vector.every((x) => typeof x === "number"))
      throw new UnsupportedByFakeError("the fake supports only a single unnamed dense vector");
    if (vector.length !== collection.size)
      throw new QdrantHttpError(400, `Wrong input: Vector dimension error: expected dim: ${collection.size}, got ${vector.length}`);
    return collection.distance === "Cosine" ? normalize(vector) : [...vector];
  };
  const selected = (collection: Collection, filter: unknown): FakePoint[] =>
    sortedPoints(collection).filter((point) => matchesFilter(point, filter, collection.textIndexes));

  return {
    root: () => ({ status: 200, body: { title: "qdrant - vector search engine", version: "1.18.0", commit: null } }),
    get_collections: () => ok({ collections: [...collections.keys()].map((name) => ({ name })) }),
    collection_exists: ({ params }) => ok({ exists: collections.has(params.collection_name ?? "") }),
    create_collection: ({ params, body }) => {
      const name = params.collection_name ?? "";
      if (collections.has(name)) throw new QdrantHttpError(409, `Wrong input: Collection \`${name}\` already exists!`);
      const vectors = body.vectors as Json | undefined;
      if (typeof vectors?.size !== "number" || (vectors.distance !== "Cosine" && vectors.distance !== "Dot")) {
        throw new UnsupportedByFakeError("the fake supports one unnamed vector with Cosine or Dot distance");
      }
      collections.set(name, {
        size: vectors.size,
        distance: vectors.distance,
        points: new Map(),
        textIndexes: new Map(),
        payloadSchema: new Map(),
      });
      return ok(true);
    },
    delete_collection: ({ params }) => ok(collections.delete(params.collection_name ?? "")),
    create_field_index: ({ params, body }) => {
      const collection = collectionOf(params);
      const field = String(body.field_name);
      const schema = body.field_schema;
      collection.payloadSchema.set(field, schema);
      if (schema === "text") collection.textIndexes.set(field, { tokenizer: "word", lowercase: true });
      else if (isObject(schema) && schema.type === "text") {
        collection.textIndexes.set(field, {
          tokenizer: typeof schema.tokenizer === "string" ? schema.tokenizer : "word",
          lowercase: schema.lowercase !== false,
        });
      }
      return updated();
    },
    upsert_points: ({ params, body }) => {
      const collection = collectionOf(params);
      if (!Array.isArray(body.points)) throw new UnsupportedByFakeError("the fake supports only the list form of upsert");
      const version = nextOperation();
      const points = (body.points as Json[]).map((point) => ({
        id: normalizeId(point.id),
        vector: checkVector(collection, point.vector),
        payload: isObject(point.payload) ? structuredClone(point.payload) : {},
        version,
      }));
      for (const point of points) collection.points.set(point.id, point);
      return ok({ operation_id: version, status: "completed" });
    },
    get_points: ({ params, body }) => {
      const collection = collectionOf(params);
      const ids = (body.ids as unknown[]).map(normalizeId);
      const records = [...new Set(ids)].flatMap((id) => {
        const point = collection.points.get(id);
        return point === undefined ? [] : [record(point, body.with_payload ?? true, body.with_vector ?? false)];
      });
      return ok(records);
    },
    delete_points: ({ params, body }) => {
      const collection = collectionOf(params);
      const doomed = Array.isArray(body.points) ? body.points.map(normalizeId) : selected(collection, body.filter).map((point) => point.id);
      for (const id of doomed) collection.points.delete(id);
      return updated();
    },
    set_payload: ({ params, body }) => {
      const collection = collectionOf(params);
      if (body.key !== undefined && body.key !== null)
        throw new UnsupportedByFakeError("the fake does not implement set_payload with a key");
      const targets = Array.isArray(body.points)
        ? body.points.map((id) => {
            const point = collection.points.get(normalizeId(id));
            if (point === undefined) throw new QdrantHttpError(404, `Not found: No point with id ${String(id)} found`);
            return point;
          })
        : selected(collection, body.filter);
      const version = nextOperation();
      for (const point of targets) {
        Object.assign(point.payload, structuredClone(body.payload as Json));
        point.version = version;
      }
      return ok({ operation_id: version, status: "completed" });
    },
    scroll_points: ({ params, body }) => {
      const collection = collectionOf(params);
      if (body.order_by !== undefined && body.order_by !== null)
        throw new UnsupportedByFakeError("the fake does not implement scroll order_by");
      const limit = typeof body.limit === "number" ? body.limit : 10;
      let matching = selected(collection, body.filter);
      if (body.offset !== undefined && body.offset !== null) {
        const start = normalizeId(body.offset);
        matching = matching.filter((point) => compareIds(point.id, start) >= 0);
      }
      const page = matching.slice(0, limit);
      return ok({
        points: page.map((point) => record(point, body.with_payload ?? true, body.with_vector ?? false)),
        next_page_offset: matching[limit]?.id ?? null,
      });
    },
    count_points: ({ params, body }) => ok({ count: selected(collectionOf(params), body.filter).length }),
    query_points: ({ params, body }) => {
      const collection = collectionOf(params);
      if (body.prefetch !== undefined && body.prefetch !== null) throw new UnsupportedByFakeError("the fake does not implement prefetch");
      if (body.using !== undefined && body.using !== null) throw new UnsupportedByFakeError("the fake supports only the unnamed vector");
      const raw = isObject(body.query) ? body.query.nearest : body.query;
      const query = checkVector(collection, raw);
      const limit = typeof body.limit === "number" ? body.limit : 10;
      const offset = typeof body.offset === "number" ? body.offset : 0;
      const threshold = typeof body.score_threshold === "number" ? body.score_threshold : -Infinity;
      const scored = selected(collection, body.filter)
        .map((point) => ({ point, score: dot(point.vector, query) }))
        .filter(({ score }) => score >= threshold)
        .sort((a, b) => b.score - a.score || compareIds(a.point.id, b.point.id))
        .slice(offset, offset + limit);
      return ok({
        points: scored.map(({ point, score }) => ({
          ...record(point, body.with_payload ?? false, body.with_vector ?? false),
          score,
          version: point.version,
        })),
      });
    },
  };
}

function record(point: FakePoint, withPayload: unknown, withVector: unknown): Json {
  const result: Json = { id: point.id };
  const payload = selectPayload(point.payload, withPayload);
  if (payload !== undefined) result.payload = payload;
  if (withVector === true) result.vector = point.vector;
  return result;
}

function selectPayload(payload: Record<string, unknown>, selector: unknown): Record<string, unknown> | undefined {
  if (selector === false || selector === null) return undefined;
  if (selector === true) return structuredClone(payload);
  const pick = (keys: (key: string) => boolean): Record<string, unknown> =>
    structuredClone(Object.fromEntries(Object.entries(payload).filter(([key]) => keys(key))));
  if (Array.isArray(selector)) return pick((key) => selector.includes(key));
  if (isObject(selector) && Array.isArray(selector.include)) return pick((key) => (selector.include as unknown[]).includes(key));
  if (isObject(selector) && Array.isArray(selector.exclude)) return pick((key) => !(selector.exclude as unknown[]).includes(key));
  throw new UnsupportedByFakeError(`the fake does not implement with_payload ${JSON.stringify(selector)}`);
}

/** Qdrant orders points by id: integers first, then UUIDs (whose hyphenated hex sorts as their value). */
function compareIds(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedPoints(collection: Collection): FakePoint[] {
  return [...collection.points.values()].sort((a, b) => compareIds(a.id, b.id));
}

function normalize(vector: readonly number[]): number[] {
  const length = Math.hypot(...vector);
  return length === 0 ? [...vector] : vector.map((x) => x / length);
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += (a[index] ?? 0) * (b[index] ?? 0);
  return sum;
}

function errorBody(message: string): Json {
  return { status: { error: message }, time: 0 };
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
