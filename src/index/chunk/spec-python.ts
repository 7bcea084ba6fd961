import { specFromTable } from "./language-table.js";

export const pythonSpec = specFromTable({
  attachable: ["comment"],
  wrappers: {
    // The signature is the `def`/`class` line; decorators stay in the chunk's text.
    decorated_definition: { unwrap: (node) => node.childForFieldName("definition"), inSignature: false },
  },
  rules: {
    function_definition: { kind: "function", memberKind: "method" },
    class_definition: { kind: "class", container: "type" },
  },
});
