import { describe, expect, it } from "vitest";
import { ftsMatchExpression } from "../../src/index/store/fts-query.js";
import { identifierParts, lexicalTerms, queryTerms } from "../../src/index/store/identifier-terms.js";
import { termOverlapScore } from "../../src/index/store/term-overlap-score.js";

describe("identifier splitting", () => {
  it.each([
    ["parseConfig", ["parse", "config"]],
    ["ConfigLoader", ["config", "loader"]],
    ["HTTPResponse", ["http", "response"]],
    ["XMLHttpRequest", ["xml", "http", "request"]],
    ["getHTTP", ["get", "http"]],
    ["read_user_settings", ["read", "user", "settings"]],
    ["MAX_RETRY_COUNT", ["max", "retry", "count"]],
    ["__init__", ["init"]],
    ["base64Encode", ["base", "64", "encode"]],
    ["utf8", ["utf", "8"]],
    ["v2", ["v", "2"]],
    ["größeÄndern", ["größe", "ändern"]],
    ["日本語", ["日本語"]],
  ])("splits %s", (word, parts) => {
    expect(identifierParts(word)).toEqual(parts);
  });

  it("keeps each word whole, followed by its parts, and splits paths, kebab-case and dotted names", () => {
    expect(lexicalTerms("src/config-loader.ts: app.server.listen(parseConfig)")).toEqual([
      "src",
      "config",
      "loader",
      "ts",
      "app",
      "server",
      "listen",
      "parseconfig",
      "parse",
      "config",
    ]);
    expect(lexicalTerms("read_user_settings")).toEqual(["read_user_settings", "read", "user", "settings"]);
  });

  it("skips runs too long to be searched for", () => {
    expect(lexicalTerms(`x ${"a".repeat(200)} y`)).toEqual(["x", "y"]);
  });

  it("turns a query into distinct terms, at most a few dozen", () => {
    expect(queryTerms("parseConfig parse")).toEqual(["parseconfig", "parse", "config"]);
    expect(queryTerms(Array.from({ length: 100 }, (_, index) => `word${index}x`).join(" ")).length).toBeLessThanOrEqual(32);
  });
});

describe("ftsMatchExpression", () => {
  it("quotes every term and joins them with OR, leaving no FTS5 syntax", () => {
    expect(ftsMatchExpression('parseConfig -x "unterminated')).toBe('"parseconfig" OR "parse" OR "config" OR "x" OR "unterminated"');
    expect(ftsMatchExpression("NEAR(a b) AND col:* ^x")).toBe('"near" OR "a" OR "b" OR "and" OR "col" OR "x"');
  });

  it("is null when nothing searchable is left", () => {
    expect(ftsMatchExpression('*:-"()^')).toBeNull();
    expect(ftsMatchExpression("")).toBeNull();
  });
});

describe("termOverlapScore", () => {
  it("weighs a term in a symbol above one in the path above one in the text", () => {
    const chunk = { path: "src/http/server.ts", symbols: ["startServer"], text: "function startServer() { return listen(port) }" };
    expect(termOverlapScore(["start"], chunk)).toBe(3 + 1);
    expect(termOverlapScore(["http"], chunk)).toBe(2);
    expect(termOverlapScore(["listen"], chunk)).toBe(1);
    expect(termOverlapScore(["nothing"], chunk)).toBe(0);
  });
});
