import type { ScriptedTurn } from "./scripted-ollama.js";

/** A small real Node project whose test fails until `add` is fixed. */
export const brokenAddProject: Record<string, string> = {
  "package.json":
    JSON.stringify({ name: "widgets", version: "1.0.0", type: "module", scripts: { test: "node --test test/" } }, null, 2) + "\n",
  "src/add.js": "/** Adds two numbers. */\nexport function add(a, b) {\n  return a - b;\n}\n",
  "test/add.test.js":
    'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { add } from "../src/add.js";\n\ntest("adds", () => {\n  assert.equal(add(2, 3), 5);\n});\n',
  "README.md": "# widgets\n",
};

/** What a good model does on that project: look, read, edit, test, finish. */
export function fixAddScript(): ScriptedTurn[] {
  return [
    { content: "Let me look at the project.", toolCalls: [{ name: "list_files", arguments: { path: "." } }] },
    { toolCalls: [{ name: "grep", arguments: { pattern: "export function add" } }] },
    { toolCalls: [{ name: "read_file", arguments: { path: "src/add.js" } }] },
    { toolCalls: [{ name: "edit_file", arguments: { path: "src/add.js", old_text: "return a - b;", new_text: "return a + b;" } }] },
    { toolCalls: [{ name: "run_command", arguments: { command: "npm test" } }] },
    { toolCalls: [{ name: "git_diff", arguments: {} }] },
    { toolCalls: [{ name: "finish", arguments: { summary: "`add` subtracted its arguments; it now adds them, and the test passes." } }] },
  ];
}
