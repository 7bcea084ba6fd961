import { createServer, type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { isTransient } from "../../src/fix/is-transient.js";
import { GiteaApiError } from "../../src/forge/gitea/gitea-api-error.js";
import { freePort } from "../support/net.js";

describe("which failures are worth another attempt", () => {
  it("retries the forge's 5xx and rate limits, broken and refused connections, and timeouts", async () => {
    expect(isTransient({ status: 502 })).toBe(true);
    expect(isTransient({ status: 429 })).toBe(true);
    expect(isTransient({ status: 422 })).toBe(false);
    expect(isTransient({ status: 404 })).toBe(false);
    // A port just found free: nothing listens there, so the connection is refused.
    const refused = await fetch(`http://127.0.0.1:${await freePort()}/`).catch((e: unknown) => e);
    expect(isTransient(refused)).toBe(true);
    expect(isTransient(new GiteaApiError({ status: 0, operation: "GET /user", detail: "fetch failed", cause: refused }))).toBe(true);
    // A server that takes the connection and never answers: the request times out.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    const timedOut = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
    silent.close();
    expect((timedOut as Error).name).toBe("TimeoutError");
    expect(isTransient(new GiteaApiError({ status: 0, operation: "GET /user", detail: "timed out", cause: timedOut }))).toBe(true);
    expect(isTransient(new Error("the model failed"))).toBe(false);
  });
});
