import type { Node } from "web-tree-sitter";
import { children, oneLine } from "./declaration.js";
import { specFromTable, type LanguageTable, type Rule } from "./language-table.js";

/** Declarator nodes that hold the declared name itself. */
const NAME_TYPES: ReadonlySet<string> = new Set([
  "identifier",
  "field_identifier",
  "type_identifier",
  "qualified_identifier",
  "destructor_name",
  "operator_name",
  "operator_cast",
  "template_function",
]);

/** The next declarator inward: `*f(…)` → `f(…)`; reference and parenthesized declarators have no field. */
function inner(declarator: Node): Node | null {
  return (
    declarator.childForFieldName("declarator") ??
    children(declarator).find((child) => child.type.endsWith("declarator") || NAME_TYPES.has(child.type)) ??
    null
  );
}

/**
 * The name of a function definition, through pointer, reference and parenthesized declarators,
 * split at `::` (`void Statement::Run()` → `["Statement", "Run"]`). Code that defines functions
 * through a macro (`NODE_METHOD(Statement::JS_run) { … }`: no return type, an all-caps "name")
 * is named after the macro's single argument, which is the function it defines.
 */
function functionNames(node: Node): readonly string[] | null {
  let current = node.childForFieldName("declarator");
  let functionDeclarator: Node | null = null;
  for (let depth = 0; current && !NAME_TYPES.has(current.type) && depth < 12; depth++) {
    if (current.type === "function_declarator") functionDeclarator = current;
    current = inner(current);
  }
  if (!current || !functionDeclarator) return null;
  if (!node.childForFieldName("type") && /^[A-Z][A-Z0-9_]*$/.test(current.text)) {
    const parameters = functionDeclarator.childForFieldName("parameters");
    const list = parameters ? children(parameters) : [];
    const only = list.length === 1 ? list[0] : undefined;
    return only ? splitQualified(only.text) : [oneLine(functionDeclarator.text)];
  }
  return splitQualified(current.text);
}

/** `a::b<c::d>::e` → `["a", "b<c::d>", "e"]`: splits at `::` outside template arguments. */
function splitQualified(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let part = "";
  const compact = oneLine(text);
  for (let i = 0; i < compact.length; i++) {
    const char = compact[i];
    if (char === "<") depth++;
    if (char === ">") depth = Math.max(0, depth - 1);
    if (depth === 0 && char === ":" && compact[i + 1] === ":") {
      parts.push(part.trim());
      part = "";
      i++;
      continue;
    }
    part += char;
  }
  parts.push(part.trim());
  return parts.filter((name) => name !== "");
}

/** `typedef struct {…} Name;` → `Name`, through pointer and function-pointer declarators. */
function typedefNames(node: Node): readonly string[] | null {
  const declarators = node.childrenForFieldName("declarator").filter((child): child is Node => child !== null);
  let current = declarators[declarators.length - 1] ?? null;
  for (let depth = 0; current && !NAME_TYPES.has(current.type) && depth < 12; depth++) current = inner(current);
  return current ? [current.text] : null;
}

/** A struct, union or enum is a declaration only with a name and a body; `struct foo *p;` is not. */
function namedWithBody(node: Node): readonly string[] | null {
  const name = node.childForFieldName("name");
  return name && node.childForFieldName("body") ? splitQualified(name.text) : null;
}

const cRules: Readonly<Record<string, Rule>> = {
  function_definition: { kind: "function", names: functionNames },
  struct_specifier: { kind: "struct", names: namedWithBody },
  union_specifier: { kind: "union", names: namedWithBody },
  enum_specifier: { kind: "enum", names: namedWithBody },
  type_definition: { kind: "type", names: typedefNames, body: () => null },
  preproc_function_def: { kind: "macro", body: () => null },
};

const PREPROCESSOR_BLOCKS = ["preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef"];

const cTable: LanguageTable = {
  attachable: ["comment"],
  // Code inside `#ifdef` is still the file's code; the directives stay with their neighbours.
  transparent: PREPROCESSOR_BLOCKS,
  rules: cRules,
};

export const cSpec = specFromTable(cTable);

export const cppSpec = specFromTable({
  ...cTable,
  transparent: [...PREPROCESSOR_BLOCKS, "linkage_specification", "declaration_list"],
  wrappers: {
    template_declaration: {
      unwrap: (node) => children(node).find((child) => child.type !== "template_parameter_list") ?? null,
      inSignature: true,
    },
  },
  rules: {
    ...cRules,
    function_definition: { kind: "function", memberKind: "method", names: functionNames },
    class_specifier: { kind: "class", container: "type", names: namedWithBody },
    struct_specifier: { kind: "struct", container: "type", names: namedWithBody },
    union_specifier: { kind: "union", container: "type", names: namedWithBody },
    namespace_definition: {
      kind: "namespace",
      container: "namespace",
      names: (node) => splitQualified(node.childForFieldName("name")?.text ?? "(anonymous)"),
    },
  },
});
