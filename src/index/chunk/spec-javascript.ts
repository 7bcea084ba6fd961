import type { Node } from "web-tree-sitter";
import { children, oneLine, type Declaration } from "./declaration.js";
import { specFromTable, type LanguageTable } from "./language-table.js";

/** Values that make a variable or a class field a function (`const f = async () => …`). */
const FUNCTION_VALUES: ReadonlySet<string> = new Set([
  "arrow_function",
  "function",
  "function_expression",
  "generator_function",
  "generator_function_expression",
]);

const CLASS_VALUES: ReadonlySet<string> = new Set(["class", "class_expression"]);

/**
 * Functions and classes bound to a name rather than declared: `const f = () => …`,
 * `handler = async (e) => …` in a class body, `exports.parse = function …`,
 * `Foo.prototype.bar = function …`. JavaScript code is written this way as often as not.
 */
function boundDeclaration(node: Node, inType: boolean): Declaration | null {
  switch (node.type) {
    case "lexical_declaration":
    case "variable_declaration": {
      const declarators = children(node).filter((child) => child.type === "variable_declarator");
      const only = declarators.length === 1 ? declarators[0] : undefined;
      const name = only?.childForFieldName("name");
      const value = only?.childForFieldName("value");
      if (!name || !value || name.type !== "identifier") return null;
      return fromValue(node, name.text, value, inType) ?? constant(node, name.text, value);
    }
    case "public_field_definition":
    case "field_definition": {
      const name = node.childForFieldName("name") ?? node.childForFieldName("property");
      const value = node.childForFieldName("value");
      if (!name || !value || !FUNCTION_VALUES.has(value.type)) return null;
      return {
        kind: "method",
        names: [name.text],
        signatureNode: node,
        body: value.childForFieldName("body"),
        members: null,
        typeLike: false,
      };
    }
    case "expression_statement": {
      const expression = node.namedChild(0);
      // `namespace A {}` parses as an expression statement holding an internal_module.
      if (expression?.type === "internal_module") return namespace(node, expression);
      if (expression?.type !== "assignment_expression") return null;
      const left = expression.childForFieldName("left");
      const right = expression.childForFieldName("right");
      if (!left || !right || left.endPosition.row !== left.startPosition.row) return null;
      return fromValue(node, oneLine(left.text), right, inType);
    }
    default:
      return null;
  }
}

function namespace(statement: Node, module: Node): Declaration | null {
  const name = module.childForFieldName("name");
  const body = module.childForFieldName("body");
  if (!name) return null;
  return { kind: "namespace", names: [name.text], signatureNode: statement, body, members: body ? children(body) : null, typeLike: false };
}

/**
 * A constant built over several lines (an object, a schema made by a call) is a definition worth
 * its name: `export const $ZodString = $constructor("$ZodString", (inst, def) => { … })`. A
 * one-line constant is a detail of the code around it and stays part of that code.
 */
function constant(node: Node, name: string, value: Node): Declaration | null {
  if (value.endPosition.row === value.startPosition.row) return null;
  const kind = node.firstChild?.type === "const" ? "constant" : "variable";
  return { kind, names: [name], signatureNode: node, body: value, members: null, typeLike: false };
}

function fromValue(node: Node, name: string, value: Node, inType: boolean): Declaration | null {
  if (FUNCTION_VALUES.has(value.type)) {
    return {
      kind: inType ? "method" : "function",
      names: [name],
      signatureNode: node,
      body: value.childForFieldName("body"),
      members: null,
      typeLike: false,
    };
  }
  if (CLASS_VALUES.has(value.type)) {
    const body = value.childForFieldName("body");
    return { kind: "class", names: [name], signatureNode: node, body, members: body ? children(body) : null, typeLike: true };
  }
  return null;
}

/** `export …` and `declare …`. */
const exportWrapper = {
  unwrap: (node: Node) =>
    node.childForFieldName("declaration") ?? children(node).find((child) => child.type !== "decorator" && child.type !== "comment") ?? null,
  inSignature: true,
};

/** TypeScript, TSX and JavaScript share one table: JavaScript's trees are a subset. */
const table: LanguageTable = {
  attachable: ["comment"],
  special: boundDeclaration,
  wrappers: {
    export_statement: exportWrapper,
    ambient_declaration: exportWrapper,
  },
  rules: {
    function_declaration: { kind: "function" },
    generator_function_declaration: { kind: "function" },
    function_signature: { kind: "function" },
    class_declaration: { kind: "class", container: "type" },
    abstract_class_declaration: { kind: "class", container: "type" },
    class: { kind: "class", container: "type", names: (node) => [node.childForFieldName("name")?.text ?? "default"] },
    interface_declaration: { kind: "interface", container: "type" },
    type_alias_declaration: { kind: "type", body: (node) => node.childForFieldName("value") },
    enum_declaration: { kind: "enum" },
    internal_module: { kind: "namespace", container: "namespace" },
    module: { kind: "module", container: "namespace" },
    method_definition: { kind: "method" },
    method_signature: { kind: "method" },
    abstract_method_signature: { kind: "method" },
  },
};

export const javascriptSpec = specFromTable(table);
