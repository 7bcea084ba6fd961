import { specFromTable } from "./language-table.js";

export const javaSpec = specFromTable({
  attachable: ["line_comment", "block_comment", "comment"],
  rules: {
    class_declaration: { kind: "class", container: "type" },
    interface_declaration: { kind: "interface", container: "type" },
    enum_declaration: { kind: "enum", container: "type" },
    record_declaration: { kind: "record", container: "type" },
    annotation_type_declaration: { kind: "annotation", container: "type" },
    method_declaration: { kind: "method" },
    constructor_declaration: { kind: "constructor" },
    compact_constructor_declaration: { kind: "constructor" },
  },
});
