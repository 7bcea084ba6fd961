import { randomBytes } from "node:crypto";
import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { IndexStoreError } from "../../src/index/store/index-store-error.js";
import { QdrantIndexStore } from "../../src/index/store/qdrant-index-store.js";
import { collectionName, pointId } from "../../src/index/store/qdrant-names.js";
import { startFakeQdrant, type FakeQdrant } from "../support/fake-qdrant.js";
import { freePort } from "../support/net.js";
import { axisVector, defineStoreSuite, makeChunk } from "./store-suite.js";

let fake: FakeQdrant;
beforeAll(async () => {
  fake = await startFakeQdrant();
});
afterAll(async () => {
  await fake.close();
});
// A request that does not match Qdrant's OpenAPI description fails the test that sent it.
afterEach(() => {
  const violations = fake.violations.splice(0);
  expect(violations, "requests that do not match Qdrant's OpenAPI description").toEqual([]);
});

defineStoreSuite("QdrantIndexStore against the fake Qdrant (every request checked against the OpenAPI description)", () =>
  Promise.resolve(new QdrantIndexStore({ url: fake.url })),
);

const liveUrl = process.env.QDRANT_URL;
const livePrefix = `coder-test-${randomBytes(4).toString("hex")}`;
defineStoreSuite(
  "QdrantIndexStore against a live Qdrant",
  () => Promise.resolve(new QdrantIndexStore({ url: liveUrl ?? "", apiKey: process.env.QDRANT_API_KEY, collectionPrefix: livePrefix })),
  liveUrl ? {} : { skip: "QDRANT_URL is not set; point it at a Qdrant server (and QDRANT_API_KEY if it needs one) to run the suite live" },
);
afterAll(async () => {
  if (!liveUrl) return;
  const client = new QdrantClient({ url: liveUrl, apiKey: process.env.QDRANT_API_KEY, checkCompatibility: false });
  const { collections } = await client.getCollections();
  for (const { name } of collections) if (name.startsWith(`${livePrefix}-`)) await client.deleteCollection(name);
});

describe("QdrantIndexStore's contract with Qdrant", () => {
  it("uses only documented operations, and the fake refuses what the description does not allow", async () => {
    const store = new QdrantIndexStore({ url: fake.url, collectionPrefix: "contract" });
    await store.open("acme/widgets", "m", 4);
    await store.upsert("acme/widgets", [{ chunk: makeChunk({ id: "a", text: "function alpha() {}" }), vector: axisVector(0, 4) }], "main");
    await store.lexical("acme/widgets", "alpha beta", 5, "main");
    await store.nearest("acme/widgets", axisVector(0, 4), 5, "main");
    await store.addTag("acme/widgets", ["a"], "dev");
    await store.removeTag("acme/widgets", ["a"], "main");
    await store.count("acme/widgets", "dev");
    await store.get("acme/widgets", ["a"]);
    await store.delete("acme/widgets", ["a"]);
    const used = new Set(fake.requests.map((request) => request.operationId));
    expect(used.has(null)).toBe(false);
    for (const operation of [
      "get_collections",
      "create_collection",
      "create_field_index",
      "upsert_points",
      "get_points",
      "scroll_points",
      "query_points",
      "set_payload",
      "count_points",
      "delete_points",
    ]) {
      expect(used, operation).toContain(operation);
    }

    // A chunk id is not a point id: Qdrant takes only unsigned integers and UUIDs.
    const name = collectionName("contract", "acme/widgets", "m", 4);
    const response = await fetch(`${fake.url}/collections/${name}/points?wait=true`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ points: [{ id: "src/a.ts#1", vector: [1, 0, 0, 0], payload: {} }] }),
    });
    expect(response.status).toBe(422);
    expect(fake.violations.splice(0).join("\n")).toMatch(/body\/points\/0\/id/);
    const wrongFilter = await fetch(`${fake.url}/collections/${name}/points/count`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ filter: { must: [{ key: "tags", match: { value: "main" } }], mustNot: [] } }),
    });
    expect(wrongFilter.status).toBe(422);
    expect(fake.violations.splice(0).join("\n")).toMatch(/must not have property mustNot/);
  });

  it("names collections safely and keeps look-alike repositories apart", () => {
    const one = collectionName("coder-index", "a/b-c", "use-lite", 512);
    const two = collectionName("coder-index", "a-b/c", "use-lite", 512);
    expect(one).not.toBe(two);
    expect(collectionName("coder-index", `o'neil/"x" repo;--`, "m", 8)).toMatch(/^[a-z0-9_-]+$/);
    expect(collectionName("coder-index", "a/b", "m", 8)).not.toBe(collectionName("coder-index", "a/b", "m2", 8));
  });

  it("derives the same UUID point id from the same chunk id", () => {
    expect(pointId("src/a.ts#abc")).toBe(pointId("src/a.ts#abc"));
    expect(pointId("src/a.ts#abc")).not.toBe(pointId("src/a.ts#abd"));
    expect(pointId("x")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("says Qdrant is unreachable, with what to do, when nothing listens", async () => {
    const store = new QdrantIndexStore({ url: `http://127.0.0.1:${await freePort()}` });
    const error = await store.open("acme/widgets", "m", 4).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IndexStoreError);
    expect((error as IndexStoreError).reason).toBe("unreachable");
    expect((error as IndexStoreError).hint).toMatch(/QDRANT_URL/);
  });
});
