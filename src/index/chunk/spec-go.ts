import type { Node } from "web-tree-sitter";
import { children } from "./declaration.js";
import { bareTypeName, specFromTable } from "./language-table.js";

/** `func (s *Server) Serve()` → `["Server", "Serve"]`: methods are found under their type. */
function methodNames(node: Node): readonly string[] | null {
  const name = node.childForFieldName("name")?.text;
  const receiver = node.childForFieldName("receiver");
  const parameter = receiver ? children(receiver).find((child) => child.type === "parameter_declaration") : undefined;
  const type = parameter?.childForFieldName("type")?.text;
  if (!name) return null;
  return type ? [bareTypeName(type), name] : [name];
}

/** A `type (…)` group is named after its first type. */
function firstSpec(node: Node): Node | null {
  return children(node).find((child) => child.type === "type_spec" || child.type === "type_alias") ?? null;
}

const TYPE_KINDS: Readonly<Record<string, string>> = { struct_type: "struct", interface_type: "interface" };

export const goSpec = specFromTable({
  attachable: ["comment"],
  rules: {
    function_declaration: { kind: "function" },
    method_declaration: { kind: "method", names: methodNames },
    type_declaration: {
      kind: "type",
      names: (node) => {
        const name = firstSpec(node)?.childForFieldName("name")?.text;
        return name ? [name] : null;
      },
      kindOf: (node) => TYPE_KINDS[firstSpec(node)?.childForFieldName("type")?.type ?? ""] ?? "type",
      // `type analyze struct {` → the field list is the body.
      body: (node) => {
        const type = firstSpec(node)?.childForFieldName("type");
        return type && TYPE_KINDS[type.type] ? (type.namedChild(0) ?? null) : null;
      },
    },
  },
});
