import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/app/logger.js";

/** The bot's logger writing into an array of lines. */
function captured(secrets: string[]) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger("info", secrets, sink) };
}

describe("the bot's logger", () => {
  it("redacts secrets and credential shapes from messages and logged objects", () => {
    const { lines, logger } = captured(["webhook-secret-value"]);
    logger.info(
      { err: { message: "push failed for ghs_abcdefghijklmnopqrstuvwxyz0123456789" }, headers: { authorization: "token xyz" } },
      "secret is webhook-secret-value",
    );
    const text = lines.join("");
    expect(text).not.toContain("webhook-secret-value");
    expect(text).not.toContain("ghs_abcdefghijklmnopqrstuvwxyz0123456789");
    expect(text).not.toContain("token xyz");
    expect(text).toContain("[REDACTED]");
  });

  it("keeps logged errors readable, and survives a key with no end line", () => {
    const { lines, logger } = captured(['quote"secret-value']);
    logger.error({ err: new Error('push failed with quote"secret-value') }, "job failed");
    logger.info({ leaked: "-----BEGIN RSA PRIVATE KEY-----\nMIIEow" }, "partial key");
    const [first, second] = lines.map((l) => JSON.parse(l) as { err?: { message?: unknown; type?: unknown }; leaked?: unknown });
    expect(first?.err?.message).toBe("push failed with [REDACTED]");
    expect(first?.err?.type).toBe("Error");
    expect(second?.leaked).toBe("[REDACTED]");
  });
});
