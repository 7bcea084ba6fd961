import type { ToolSpec } from "../types.js";

/**
 * The JSON Schema a constrained text-mode reply must match: exactly one call, `{"name", "arguments"}`,
 * where the name picks the tool and the arguments follow that tool's own schema. Backends that
 * decode under a grammar (Ollama's `format`, llama.cpp) then cannot produce a call that fails to parse.
 */
export function toolCallSchema(tools: readonly ToolSpec[]): Record<string, unknown> {
  const variants = tools.map((tool) => ({
    type: "object",
    properties: { name: { type: "string", enum: [tool.name] }, arguments: argumentsSchema(tool) },
    required: ["name", "arguments"],
  }));
  return variants.length === 1 ? (variants[0] as Record<string, unknown>) : { anyOf: variants };
}

/** The tool's schema without annotations grammars do not need; an object schema in any case. */
function argumentsSchema(tool: ToolSpec): Record<string, unknown> {
  const { $schema: _schema, ...rest } = tool.parameters;
  return rest.type === "object" ? rest : { type: "object", ...rest };
}
