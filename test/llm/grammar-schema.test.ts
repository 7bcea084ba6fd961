import { describe, expect, it } from "vitest";
import { z } from "zod";
import { dropUnsetOptionals, toGrammarSchema } from "../../src/llm/grammar-schema.js";

const ANY_JSON = {
  oneOf: [{ type: ["string", "number", "boolean", "null"] }, { type: "array" }, { type: "object", additionalProperties: true }],
};

describe("toGrammarSchema", () => {
  it("keeps what node-llama-cpp's grammar supports and drops the rest", () => {
    const schema = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      title: "Args",
      properties: {
        path: { type: "string", minLength: 1, maxLength: 80, pattern: "^[^/]", description: "where" },
        count: { type: "integer", minimum: 1, maximum: 9, default: 3 },
        mode: { enum: ["a", "b"] },
        when: { type: "string", format: "date" },
        url: { type: "string", format: "uri" },
        tags: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 3, uniqueItems: true },
        extra: { type: "object", additionalProperties: { type: "number" } },
      },
      required: ["path", "count", "mode", "when", "url", "tags", "extra"],
      additionalProperties: false,
    };
    expect(toGrammarSchema(schema)).toEqual({
      type: "object",
      properties: {
        path: { type: "string", minLength: 1, maxLength: 80, description: "where" },
        count: { type: "integer" },
        mode: { enum: ["a", "b"] },
        when: { type: "string", format: "date" },
        url: { type: "string" },
        tags: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 3 },
        extra: { type: "object", properties: {}, additionalProperties: { type: "number" } },
      },
    });
  });

  it("lets optional properties be null, since the grammar writes every listed property", () => {
    const converted = toGrammarSchema({
      type: "object",
      properties: { a: { type: "string" }, b: { type: "integer" }, c: { type: ["string", "null"] } },
      required: ["a"],
    });
    expect(converted).toEqual({
      type: "object",
      properties: {
        a: { type: "string" },
        b: { oneOf: [{ type: "integer" }, { type: "null" }] },
        c: { oneOf: [{ type: "string" }, { type: "null" }] },
      },
    });
  });

  it("turns anyOf into oneOf, folds allOf, and moves definitions to $defs", () => {
    const converted = toGrammarSchema({
      definitions: { Path: { type: "string", maxLength: 5 } },
      anyOf: [
        { type: "object", properties: { name: { const: "read" }, path: { $ref: "#/definitions/Path" } }, required: ["name", "path"] },
        {
          allOf: [
            { type: "object", properties: { name: { const: "list" } }, required: ["name"] },
            { properties: { deep: { type: "boolean" } }, required: ["deep"] },
          ],
        },
      ],
    });
    expect(converted).toEqual({
      oneOf: [
        { type: "object", properties: { name: { const: "read" }, path: { $ref: "#/$defs/Path" } } },
        { type: "object", properties: { name: { const: "list" }, deep: { type: "boolean" } } },
      ],
      $defs: { Path: { type: "string", maxLength: 5 } },
    });
  });

  it("writes any JSON where the schema allows anything, and an empty object where it lists no properties", () => {
    expect(toGrammarSchema({ description: "anything" })).toEqual(ANY_JSON);
    expect(toGrammarSchema({ type: "object" })).toEqual({ type: "object", properties: {}, additionalProperties: true });
    expect(toGrammarSchema({ type: "object", properties: {} })).toEqual({ type: "object", properties: {} });
    expect(toGrammarSchema({ type: "object", properties: { v: { $ref: "#/$defs/Missing" } }, required: ["v"] })).toEqual({
      type: "object",
      properties: { v: ANY_JSON },
    });
  });

  it("converts zod's recursive schemas through $defs", () => {
    interface Node {
      name: string;
      children: Node[];
    }
    const node: z.ZodType<Node> = z.lazy(() => z.object({ name: z.string(), children: z.array(node) }));
    const schema = z.toJSONSchema(z.object({ root: node }), { reused: "ref" }) as Record<string, unknown>;
    const converted = JSON.stringify(toGrammarSchema(schema));
    expect(converted).toContain('"$defs"');
    expect(converted).toContain('"$ref":"#/$defs/');
    expect(converted).not.toContain("$schema");
  });
});

describe("dropUnsetOptionals", () => {
  const schema = {
    anyOf: [
      {
        type: "object",
        properties: {
          name: { const: "grep" },
          arguments: {
            type: "object",
            properties: { pattern: { type: "string" }, glob: { type: "string" }, kind: { type: ["string", "null"] } },
            required: ["pattern"],
          },
        },
        required: ["name", "arguments"],
      },
      {
        type: "object",
        properties: {
          name: { const: "finish" },
          arguments: { type: "object", properties: { summary: { type: "string" }, note: { type: "string" } }, required: [] },
        },
        required: ["name", "arguments"],
      },
    ],
  };

  it("removes the nulls written for optional properties that do not admit null", () => {
    expect(JSON.parse(dropUnsetOptionals('{"name":"grep","arguments":{"pattern":"x","glob":null,"kind":null}}', schema))).toEqual({
      name: "grep",
      arguments: { pattern: "x", kind: null },
    });
    expect(JSON.parse(dropUnsetOptionals('{"name":"finish","arguments":{"summary":null,"note":"n"}}', schema))).toEqual({
      name: "finish",
      arguments: { note: "n" },
    });
  });

  it("returns the text unchanged when nothing is dropped or it does not parse", () => {
    const text = '{ "name": "grep", "arguments": { "pattern": "x", "glob": "*.ts", "kind": null } }';
    expect(dropUnsetOptionals(text, schema)).toBe(text);
    expect(dropUnsetOptionals('{"name":"grep","arguments":{"pattern":', schema)).toBe('{"name":"grep","arguments":{"pattern":');
  });
});
