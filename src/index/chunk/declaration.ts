import type { Node } from "web-tree-sitter";

/** What the chunker needs to know of one declaration in the syntax tree. */
export interface Declaration {
  /** `function`, `method`, `class`, `interface`, `struct`, `impl`, … */
  readonly kind: string;
  /** The declaration's own names, outermost first: usually one; a Go method adds its receiver, a qualified C++ name its scopes. */
  readonly names: readonly string[];
  /** Where the signature starts: the declaration, or a wrapper that belongs to it (`export`, `template <…>`). */
  readonly signatureNode: Node;
  /** Where the signature ends; null when there is no body, and the signature is the first line. */
  readonly body: Node | null;
  /** The members, for containers whose body can be split (classes, impls, namespaces); else null. */
  readonly members: readonly Node[] | null;
  /** True when the members are a type's (so functions among them are methods), false for a namespace's. */
  readonly typeLike: boolean;
}

/** How a language's syntax tree is read for declarations. */
export interface LanguageSpec {
  /** Node types that belong to the declaration that follows them: doc comments, attributes. */
  readonly attachable: ReadonlySet<string>;
  /** Node types whose children are read as if they stood in the parent's place (`#ifdef`, `extern "C" {`). */
  readonly transparent: ReadonlySet<string>;
  /** The declaration `node` is (through wrappers such as `export`), or null. `inType`: inside a class-like body. */
  describe(node: Node, inType: boolean): Declaration | null;
}

export function children(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null);
}

/** Whitespace runs collapsed to one space: names and signatures are one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
