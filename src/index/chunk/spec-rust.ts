import { bareTypeName, specFromTable } from "./language-table.js";

export const rustSpec = specFromTable({
  // `#[derive(…)]` and `///` docs sit before the item as siblings; they belong to it.
  attachable: ["line_comment", "block_comment", "attribute_item", "comment"],
  rules: {
    function_item: { kind: "function", memberKind: "method" },
    function_signature_item: { kind: "function", memberKind: "method" },
    struct_item: { kind: "struct" },
    enum_item: { kind: "enum" },
    union_item: { kind: "union" },
    type_item: { kind: "type", body: () => null },
    trait_item: { kind: "trait", container: "type" },
    // `impl<T> Display for Wrapper<T>` is found under `Wrapper`; the signature keeps the trait.
    impl_item: {
      kind: "impl",
      container: "type",
      names: (node) => {
        const type = node.childForFieldName("type")?.text;
        return type ? [bareTypeName(type)] : null;
      },
    },
    // `mod name;` only points at another file; only an inline module is a declaration here.
    mod_item: {
      kind: "module",
      container: "namespace",
      names: (node) => (node.childForFieldName("body") ? [node.childForFieldName("name")?.text ?? ""] : null),
    },
    macro_definition: { kind: "macro", body: () => null },
  },
});
