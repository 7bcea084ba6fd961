import type { Node } from "web-tree-sitter";
import { children, type Declaration, type LanguageSpec } from "./declaration.js";

/** One node type that is a declaration. */
export interface Rule {
  readonly kind: string;
  /** The kind inside a class-like body (`function` → `method`). */
  readonly memberKind?: string;
  /** `type`: the body's members are split out as methods and fields; `namespace`: as free declarations. */
  readonly container?: "type" | "namespace";
  /** Default: the `name` field's text. Returning null means "not a declaration after all" (an anonymous struct). */
  readonly names?: (node: Node) => readonly string[] | null;
  /** Default: the `body` field. */
  readonly body?: (node: Node) => Node | null;
  /** A kind that depends on the node (a Go `type` is a struct, an interface or an alias). */
  readonly kindOf?: (node: Node) => string;
}

/** A node that carries a declaration inside it (`export …`, `@decorator …`, `template <…> …`). */
export interface Wrapper {
  readonly unwrap: (node: Node) => Node | null;
  /** Whether the wrapper's own text starts the signature (`export class A`) or not (decorators). */
  readonly inSignature: boolean;
}

export interface LanguageTable {
  readonly rules: Readonly<Record<string, Rule>>;
  readonly wrappers?: Readonly<Record<string, Wrapper>>;
  readonly attachable: readonly string[];
  readonly transparent?: readonly string[];
  /** Declarations a node-type table cannot express (`const f = () => …`). Runs before the rules. */
  readonly special?: (node: Node, inType: boolean) => Declaration | null;
}

/** A language spec from its table. */
export function specFromTable(table: LanguageTable): LanguageSpec {
  const describe = (node: Node, inType: boolean, depth: number): Declaration | null => {
    const wrapper = table.wrappers?.[node.type];
    if (wrapper) {
      const inner = depth < 4 ? wrapper.unwrap(node) : null;
      const declaration = inner ? describe(inner, inType, depth + 1) : null;
      return declaration && wrapper.inSignature ? { ...declaration, signatureNode: node } : declaration;
    }
    const special = table.special?.(node, inType);
    if (special) return special;
    const rule = table.rules[node.type];
    return rule ? fromRule(rule, node, inType) : null;
  };
  return {
    attachable: new Set(table.attachable),
    transparent: new Set(table.transparent ?? []),
    describe: (node, inType) => describe(node, inType, 0),
  };
}

function fromRule(rule: Rule, node: Node, inType: boolean): Declaration | null {
  const names = (rule.names ?? nameField)(node);
  if (!names || names.length === 0 || names.some((name) => name === "")) return null;
  const body = (rule.body ?? bodyField)(node);
  const kind = inType && rule.memberKind ? rule.memberKind : (rule.kindOf?.(node) ?? rule.kind);
  const members = rule.container && body ? children(body) : null;
  return { kind, names, signatureNode: node, body, members, typeLike: rule.container === "type" };
}

export function nameField(node: Node): readonly string[] | null {
  const name = node.childForFieldName("name");
  return name ? [name.text.replace(/^["'`]|["'`]$/g, "")] : null;
}

export function bodyField(node: Node): Node | null {
  return node.childForFieldName("body");
}

/** `Foo<T>` → `Foo`, `*Server` → `Server`: the name a type is searched by. */
export function bareTypeName(text: string): string {
  return text
    .replace(/^(?:[&*\s]|mut\s)+/, "")
    .replace(/[<[].*$/s, "")
    .trim();
}
