import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeExpectedForm } from "../../src/llm/tool-calls/describe-expected-form.js";
import { parseLenientJson, parseLenientJsonAt, type LenientResult } from "../../src/llm/tool-calls/lenient-json.js";
import { normalizeNativeCalls } from "../../src/llm/tool-calls/normalize-native-calls.js";
import { parseToolCallsFromText } from "../../src/llm/tool-calls/parse-text-tool-calls.js";
import { repairArguments } from "../../src/llm/tool-calls/repair-arguments.js";
import { resolveToolName } from "../../src/llm/tool-calls/resolve-tool-name.js";
import type { ToolSpec } from "../../src/llm/types.js";
import { PathGuard } from "../../src/safety/path-guard.js";
import { callTool } from "../../src/tools/call-tool.js";
import { fixTools } from "../../src/tools/fix-tools.js";
import { toolSpec } from "../../src/tools/tool.js";
import { HostRunner } from "../../src/workspace/host-runner.js";

/** The fix agent's real tools, as the model sees them. */
const tools: ToolSpec[] = [...fixTools.values()].map(toolSpec);
const spec = (name: string): ToolSpec => tools.find((t) => t.name === name) as ToolSpec;

function value(result: LenientResult): unknown {
  if (!result.ok) throw new Error(`expected a value, got: ${result.message} at ${result.offset}`);
  return result.value;
}

function repairsOf(result: LenientResult): readonly string[] {
  return result.ok ? result.repairs : [];
}

function args(raw: unknown, tool?: ToolSpec): Record<string, unknown> {
  const result = repairArguments(raw, tool);
  if (!result.ok) throw new Error(`expected arguments, got: ${result.reason}`);
  return result.value;
}

function calls(text: string): Array<{ name: string; arguments: Record<string, unknown> }> {
  return parseToolCallsFromText(text, tools).calls.map(({ name, arguments: a }) => ({ name, arguments: a }));
}

describe("lenient JSON", () => {
  it("reads valid JSON exactly as JSON.parse does, with no repairs", () => {
    const samples = [
      '{"a": 1, "b": [true, false, null], "c": {"d": "e"}}',
      '["\\u00e9\\ud83d\\ude00", "\\"quoted\\"", "tab\\tnew\\nline", "back\\\\slash", "\\/"]',
      "[-0, 1e3, -2.5E-2, 0.1, 12345678901234567890]",
      '{"a": 1, "a": 2}',
      '"just a string"',
      "  42  ",
      '{"__proto__": {"polluted": true}}',
      '{"nested": [[[{"deep": [1, {"x": []}]}]]], "empty": {}}',
    ];
    for (const text of samples) {
      const result = parseLenientJson(text);
      expect(value(result), text).toEqual(JSON.parse(text));
      expect(repairsOf(result), text).toEqual([]);
    }
  });

  it("reads generated valid JSON exactly as JSON.parse does", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const chars = ["a", "Z", " ", '"', "\\", "/", "\n", "\t", "\u0001", "é", "😀", "'", "}", "]", ",", ":", "#", "`", "\u2028"];
    const text = () => Array.from({ length: Math.floor(random() * 8) }, () => chars[Math.floor(random() * chars.length)]).join("");
    const generate = (depth: number): unknown => {
      const pick = Math.floor(random() * (depth > 3 ? 4 : 6));
      if (pick === 0) return text();
      if (pick === 1) return Math.round((random() - 0.5) * 1e6) / (random() < 0.5 ? 1 : 1000);
      if (pick === 2) return random() < 0.5;
      if (pick === 3) return null;
      if (pick === 4) return Array.from({ length: Math.floor(random() * 4) }, () => generate(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [text(), generate(depth + 1)]));
    };
    for (let n = 0; n < 500; n++) {
      const json = JSON.stringify(generate(0), null, n % 3 === 0 ? 2 : undefined);
      const result = parseLenientJson(json);
      expect(value(result), json).toEqual(JSON.parse(json));
      expect(repairsOf(result), json).toEqual([]);
    }
  });

  it("keeps __proto__ an own property instead of setting the prototype", () => {
    const parsed = value(parseLenientJson('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  const repairs: Array<[string, string, unknown, string]> = [
    ["single quotes", "{'path': 'src/a.ts'}", { path: "src/a.ts" }, "replaced single quotes"],
    ["apostrophes inside single quotes", "{'q': 'what's the weather'}", { q: "what's the weather" }, "replaced single quotes"],
    ["trailing commas", '{"a": [1, 2,], "b": 3,}', { a: [1, 2], b: 3 }, "removed a trailing comma"],
    ["a missing closing brace", '{"path": "a.ts", "opts": {"x": 1}', { path: "a.ts", opts: { x: 1 } }, 'added a missing "}"'],
    ["a missing closing bracket", '{"files": ["a", "b"', { files: ["a", "b"] }, 'added a missing "]"'],
    [
      "a brace missing before a bracket",
      '{"outline": [{"h2": "a", "g": "b"]}',
      { outline: [{ h2: "a", g: "b" }] },
      'added a "}" that was missing before "]"',
    ],
    ["unquoted keys", "{path: 'a.ts', start_line: 3}", { path: "a.ts", start_line: 3 }, "quoted unquoted property names"],
    [
      "Python literals",
      "{'recursive': True, 'limit': None, 'hidden': False}",
      { recursive: true, limit: null, hidden: false },
      "replaced Python literals (True, False, None)",
    ],
    ["line comments", '{\n  // the file\n  "path": "a.ts" # why\n}', { path: "a.ts" }, "removed comments"],
    ["block comments", '{/* note */ "path": "a.ts"}', { path: "a.ts" }, "removed comments"],
    ["smart quotes", "{\u201cpath\u201d: \u201csrc/a.ts\u201d}", { path: "src/a.ts" }, "replaced smart quotes"],
    [
      "raw newlines inside strings",
      '{"content": "line 1\nline 2"}',
      { content: "line 1\nline 2" },
      "escaped raw control characters inside a string",
    ],
    [
      "unescaped quotes inside strings",
      '{"command": "echo "hi" > a.txt"}',
      { command: 'echo "hi" > a.txt' },
      "escaped quotes inside a string",
    ],
    ["extra closing braces", '{"a": 1}}}', { a: 1 }, 'ignored an unmatched "}" after the value'],
    ["a missing comma between lines", '{\n  "a": 1\n  "b": "x"\n  "c": "y"\n}', { a: 1, b: "x", c: "y" }, "inserted a missing comma"],
    ["backtick strings", "{'tags': [`use it`]}", { tags: ["use it"] }, "replaced backtick quotes"],
    [
      "regex escapes JSON does not know",
      '{"pattern": "class Base\\(\\d+"}',
      { pattern: "class Base\\(\\d+" },
      "kept an unknown escape sequence",
    ],
  ];
  it.each(repairs)("repairs %s", (_label, text, expected, repair) => {
    const result = parseLenientJson(text);
    expect(value(result)).toEqual(expected);
    expect(repairsOf(result)).toContain(repair);
  });

  it("refuses a string cut off by the end of the text, which means truncated output", () => {
    const result = parseLenientJson('{"path": "a.ts", "content": "def main():\n    print(');
    expect(result).toMatchObject({ ok: false, offset: 28 });
    expect(!result.ok && result.message).toMatch(/not closed.*cut off/);
  });

  it("fails with a message and an offset instead of throwing", () => {
    expect(parseLenientJson("")).toMatchObject({ ok: false, offset: 0 });
    expect(parseLenientJson("{Answer: YES}")).toMatchObject({
      ok: false,
      message: 'unexpected word "YES" where a value should be',
      offset: 9,
    });
    expect(parseLenientJson('{"a": 1} and then some')).toMatchObject({
      ok: false,
      message: "unexpected text after the JSON value",
      offset: 9,
    });
    expect(parseLenientJson('{"a": }')).toMatchObject({ ok: false, message: 'the property "a" has no value' });
    expect(parseLenientJson("[".repeat(300))).toMatchObject({ ok: false, message: "nesting is deeper than 256 levels" });
  });

  it("reads one value out of surrounding prose and reports where it ends", () => {
    const text = 'Sure: {"name": "finish", "arguments": {"summary": "done"}} — that is all.';
    const result = parseLenientJsonAt(text, text.indexOf("{"));
    expect(value(result)).toEqual({ name: "finish", arguments: { summary: "done" } });
    expect(result.ok && text.slice(result.ok ? result.end : 0)).toBe(" — that is all.");
  });
});

describe("repairArguments", () => {
  it("decodes arguments given as a JSON string", () => {
    expect(args('{"path": "src/a.ts"}', spec("read_file"))).toEqual({ path: "src/a.ts" });
  });

  it("decodes double-encoded arguments and says so", () => {
    const twice = JSON.stringify(JSON.stringify({ path: "src/a.ts" }));
    const result = repairArguments(twice, spec("read_file"));
    expect(result).toEqual({ ok: true, value: { path: "src/a.ts" }, repairs: ["decoded arguments that were JSON-encoded twice"] });
  });

  it("repairs lenient JSON inside an arguments string", () => {
    expect(args("{'path': 'src/a.ts', 'start_line': 3,}", spec("read_file"))).toEqual({ path: "src/a.ts", start_line: 3 });
  });

  it('unwraps {"arguments": {...}}, also twice', () => {
    const result = repairArguments({ arguments: { arguments: { summary: "done" } } }, spec("finish"));
    expect(result).toEqual({
      ok: true,
      value: { summary: "done" },
      repairs: ['unwrapped arguments nested under "arguments"', 'unwrapped arguments nested under "arguments"'],
    });
    expect(args({ parameters: '{"summary": "done"}' }, spec("finish"))).toEqual({ summary: "done" });
  });

  it("does not unwrap a key that is a real parameter of the tool", () => {
    const tool: ToolSpec = { name: "exec", description: "", parameters: { type: "object", properties: { input: { type: "object" } } } };
    expect(args({ input: { a: 1 } }, tool)).toEqual({ input: { a: 1 } });
  });

  it("reads missing, null and empty arguments as {}", () => {
    expect(args(undefined, spec("git_status"))).toEqual({});
    expect(args(null, spec("git_status"))).toEqual({});
    expect(args("  ", spec("git_status"))).toEqual({});
  });

  it("takes an arguments object out of a one-element list, and refuses other lists", () => {
    expect(args([{ summary: "done" }], spec("finish"))).toEqual({ summary: "done" });
    expect(repairArguments([{ summary: "a" }, { summary: "b" }], spec("finish"))).toEqual({
      ok: false,
      reason: "the arguments are a list, not a JSON object",
    });
  });

  it("gives plain text to a tool's only parameter, and refuses it when there are several", () => {
    expect(repairArguments("npm test", spec("run_command"))).toEqual({
      ok: true,
      value: { command: "npm test" },
      repairs: ['used the bare value as "command"'],
    });
    expect(args("src", spec("list_files"))).toEqual({ path: "src" });
    expect(repairArguments("src/a.ts", spec("write_file"))).toEqual({
      ok: false,
      reason: "the arguments are plain text, not a JSON object",
    });
    expect(repairArguments(5, spec("write_file"))).toEqual({ ok: false, reason: "the arguments are a number, not a JSON object" });
  });

  it("converts values spelled as text to the types the schema declares", () => {
    const result = repairArguments({ path: "a.ts", start_line: "10", end_line: " 20 " }, spec("read_file"));
    expect(result).toEqual({
      ok: true,
      value: { path: "a.ts", start_line: 10, end_line: 20 },
      repairs: ['read "start_line" as a number', 'read "end_line" as a number'],
    });
    expect(args({ pattern: "x", ignore_case: "True" }, spec("grep"))).toEqual({ pattern: "x", ignore_case: true });
    expect(args({ path: 42, content: "" }, spec("write_file"))).toEqual({ path: "42", content: "" });
  });

  it("leaves values that do not read cleanly for the tool's validation", () => {
    expect(args({ path: "a.ts", start_line: "ten" }, spec("read_file"))).toEqual({ path: "a.ts", start_line: "ten" });
    expect(args({ path: "a.ts", start_line: "2.5" }, spec("read_file"))).toEqual({ path: "a.ts", start_line: "2.5" });
  });

  it("refuses arguments that are not JSON, with the position", () => {
    expect(repairArguments('{"path": "a.ts" "content": }', spec("write_file"))).toEqual({
      ok: false,
      reason: 'the arguments are not valid JSON: the property "content" has no value (at character 17)',
    });
  });
});

describe("resolveToolName", () => {
  it.each(["read_file", "Read_File", "READ_FILE", "read-file", "readFile", "ReadFile", " read file "])(
    "maps %j to read_file",
    (written) => {
      expect(resolveToolName(written, tools)).toMatchObject({ ok: true, name: "read_file" });
    },
  );

  it("says when it changed a name, for the logs", () => {
    expect(resolveToolName("readFile", tools)).toEqual({
      ok: true,
      name: "read_file",
      repair: 'read the tool name "readFile" as "read_file"',
    });
    expect(resolveToolName("read_file", tools)).toEqual({ ok: true, name: "read_file", repair: null });
  });

  it("refuses a name two tools could match", () => {
    const twins: ToolSpec[] = [
      { name: "read_file", description: "", parameters: {} },
      { name: "readFile", description: "", parameters: {} },
    ];
    expect(resolveToolName("READFILE", twins)).toEqual({
      ok: false,
      message:
        'The tool name "READFILE" is ambiguous: it could be read_file or readFile. Use the exact name. Available tools: read_file, readFile.',
    });
    expect(resolveToolName("readFile", twins)).toMatchObject({ ok: true, name: "readFile" });
  });

  it("does not guess beyond case and separators", () => {
    for (const written of ["read", "readfiles", "Read a file", "functions.read_file", "cat"]) {
      const result = resolveToolName(written, tools);
      expect(result.ok, written).toBe(false);
      expect(!result.ok && result.message).toBe(
        `There is no tool named "${written}". Available tools: ${tools.map((t) => t.name).join(", ")}.`,
      );
    }
  });
});

describe("parseToolCallsFromText", () => {
  it("reads <tool_call> tags, several in one reply, including an unclosed last one", () => {
    const text =
      'I will look first.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "a.ts"}}\n</tool_call>\n<tool_call>\n{"name": "grep", "arguments": {"pattern": "TODO"}}';
    expect(calls(text)).toEqual([
      { name: "read_file", arguments: { path: "a.ts" } },
      { name: "grep", arguments: { pattern: "TODO" } },
    ]);
  });

  it("ends a JSON call at its closing brace, not at a </tool_call> inside one of its strings", () => {
    const content = 'const END = "</tool_call>";\n';
    const text = `<tool_call>\n${JSON.stringify({ name: "write_file", arguments: { path: "tags.ts", content } })}\n</tool_call>\n<tool_call>{"name": "git_diff", "arguments": {}}</tool_call>`;
    expect(calls(text)).toEqual([
      { name: "write_file", arguments: { path: "tags.ts", content } },
      { name: "git_diff", arguments: {} },
    ]);
  });

  it("repairs a call whose closing brace is missing before </tool_call>", () => {
    expect(calls('<tool_call>{"name": "read_file", "arguments": {"path": "a.ts"}</tool_call>\nDone.')).toEqual([
      { name: "read_file", arguments: { path: "a.ts" } },
    ]);
  });

  it("reads the <function=name> variants: Qwen3-Coder XML, Llama JSON bodies, <function_call> tags", () => {
    expect(calls('<function=read_file>{"path": "a.ts"}</function>')).toEqual([{ name: "read_file", arguments: { path: "a.ts" } }]);
    expect(calls('<function_call>{"name": "git_status", "arguments": {}}</function_call>')).toEqual([
      { name: "git_status", arguments: {} },
    ]);
    expect(
      calls(
        "<tool_call>\n<function=run_command>\n<parameter=command>\nnpm test\n</parameter>\n<parameter=timeout_seconds>\n60\n</parameter>\n</function>\n</tool_call>",
      ),
    ).toEqual([{ name: "run_command", arguments: { command: "npm test", timeout_seconds: 60 } }]);
  });

  it("keeps a file's content exact inside an XML parameter, fences and indentation included", () => {
    const content = "# Title\n\n```ts\n  const a = 1;\n```\n";
    const text = `<tool_call>\n<function=write_file>\n<parameter=path>\nREADME.md\n</parameter>\n<parameter=content>\n${content}\n</parameter>\n</function>\n</tool_call>`;
    expect(calls(text)).toEqual([{ name: "write_file", arguments: { path: "README.md", content } }]);
  });

  it("gives a body of plain text to the tool's only parameter", () => {
    expect(calls("<function=run_command>\nls -la\n</function>")).toEqual([{ name: "run_command", arguments: { command: "ls -la" } }]);
  });

  it("reads fenced ```json and ```tool_call blocks", () => {
    expect(calls('Reading it now.\n```json\n{"name": "read_file", "arguments": {"path": "a.ts"}}\n```')).toEqual([
      { name: "read_file", arguments: { path: "a.ts" } },
    ]);
    expect(calls('```tool_call\n{"name": "finish", "arguments": {"summary": "done"}}\n```')).toEqual([
      { name: "finish", arguments: { summary: "done" } },
    ]);
  });

  it.each([
    ['{"name": …, "arguments": {…}}', '{"name": "read_file", "arguments": {"path": "a.ts"}}'],
    ['{"name": …, "parameters": {…}}', '{"name": "read_file", "parameters": {"path": "a.ts"}}'],
    ['{"function": {"name": …, "arguments": …}}', '{"function": {"name": "read_file", "arguments": {"path": "a.ts"}}}'],
    ['{"tool": …, "args": …}', '{"tool": "read_file", "args": {"path": "a.ts"}}'],
    [
      'OpenAI {"type": "function", "function": {…}} with string arguments',
      '{"id": "call_1", "type": "function", "function": {"name": "read_file", "arguments": "{\\"path\\": \\"a.ts\\"}"}}',
    ],
    ["Llama 3.1 <|python_tag|>", '<|python_tag|>{"type": "function", "name": "read_file", "parameters": {"path": "a.ts"}}'],
    ["Mistral [TOOL_CALLS] list", '[TOOL_CALLS][{"name": "read_file", "arguments": {"path": "a.ts"}}]'],
    ["Devstral [TOOL_CALLS]name[ARGS]", '[TOOL_CALLS]read_file[ARGS]{"path": "a.ts"}'],
    ["a list of calls", '[{"name": "read_file", "arguments": {"path": "a.ts"}}]'],
    ["a tool_calls container", '{"tool_calls": [{"name": "read_file", "arguments": {"path": "a.ts"}}]}'],
    ["flat arguments beside the name", '{"name": "read_file", "path": "a.ts"}'],
  ])("reads the shape %s", (_shape, text) => {
    expect(calls(text)).toEqual([{ name: "read_file", arguments: { path: "a.ts" } }]);
  });

  it("repairs the name and the arguments together and lists the repairs", () => {
    const result = parseToolCallsFromText(
      "<tool_call>\n{'name': 'Read_File', 'arguments': {'path': 'a.ts', 'start_line': '3',}}\n</tool_call>",
      tools,
    );
    expect(result.calls).toEqual([
      {
        name: "read_file",
        arguments: { path: "a.ts", start_line: 3 },
        repairs: [
          "replaced single quotes",
          "removed a trailing comma",
          'read the tool name "Read_File" as "read_file"',
          'read "start_line" as a number',
        ],
      },
    ]);
    expect(result.problems).toEqual([]);
  });

  it("ignores calls rehearsed in reasoning", () => {
    const text =
      '<think>Maybe {"name": "run_command", "arguments": {"command": "rm -rf build"}}? No.</think>\n{"name": "git_status", "arguments": {}}';
    expect(calls(text)).toEqual([{ name: "git_status", arguments: {} }]);
    expect(calls('I could run {"name": "run_command", "arguments": {"command": "ls"}}</think>Done thinking.')).toEqual([]);
  });

  it("does not read calls out of inline code or code fences in other languages", () => {
    expect(parseToolCallsFromText('Call it as `{"name": "read_file", "arguments": {"path": "a.ts"}}` when you need it.', tools)).toEqual({
      calls: [],
      problems: [],
    });
    const python = 'Here is how the client sends it:\n```python\ncall = {"name": "read_file", "arguments": {"path": "a.ts"}}\n```';
    expect(parseToolCallsFromText(python, tools)).toEqual({ calls: [], problems: [] });
    const xml =
      "The format is:\n```xml\n<tool_call>\n<function=run_command>\n<parameter=command>rm -rf /</parameter>\n</function>\n</tool_call>\n```\nThat is all.";
    expect(parseToolCallsFromText(xml, tools)).toEqual({ calls: [], problems: [] });
    const twoFences =
      '```xml\n<tool_call>{"name": "run_command", "arguments": {"command": "make"}}</tool_call>\n```\nand from Python:\n```python\nclient.call("run_command")\n```';
    expect(parseToolCallsFromText(twoFences, tools)).toEqual({ calls: [], problems: [] });
  });

  it("reads a reply that is nothing but one fenced block, whatever its language", () => {
    expect(calls('```xml\n<tool_call>{"name": "git_status", "arguments": {}}</tool_call>\n```')).toEqual([
      { name: "git_status", arguments: {} },
    ]);
  });

  it("takes a <function= tag only at the start of a line or right after another tag", () => {
    expect(calls("You would write <function=run_command> with a command.")).toEqual([]);
    expect(calls("<tool_call><function=git_status></function></tool_call>")).toEqual([{ name: "git_status", arguments: {} }]);
  });

  it("does not take a tool definition the model echoed for a call", () => {
    const echoed =
      '<tools>\n{"type": "function", "function": {"name": "read_file", "description": "Read a file", "parameters": {"type": "object", "properties": {"path": {"type": "string"}}}}}\n</tools>';
    expect(parseToolCallsFromText(echoed, tools)).toEqual({ calls: [], problems: [] });
  });

  it("looks for bare JSON only when nothing in the reply is marked as a call", () => {
    const text =
      'Example: {"name": "run_command", "arguments": {"command": "make"}}\n<tool_call>{"name": "git_diff", "arguments": {}}</tool_call>';
    expect(calls(text)).toEqual([{ name: "git_diff", arguments: {} }]);
  });

  it("takes data with a name for data: no call and no problem", () => {
    for (const text of [
      '{"name": "read_file", "version": 2}',
      '{"name": "Alice", "age": 30}',
      '[{"name": "a"}, {"title": "b"}]',
      "Use {braces} and [brackets] freely.",
    ]) {
      expect(parseToolCallsFromText(text, tools), text).toEqual({ calls: [], problems: [] });
    }
  });

  it("reports a marked call of an unknown tool, listing the tools", () => {
    expect(parseToolCallsFromText('<tool_call>{"name": "delete_repo", "arguments": {}}</tool_call>', tools)).toEqual({
      calls: [],
      problems: [`There is no tool named "delete_repo". Available tools: ${tools.map((t) => t.name).join(", ")}.`],
    });
  });

  it("reports unusable arguments with the form to use instead", () => {
    const result = parseToolCallsFromText('<tool_call>{"name": "edit_file", "arguments": "src/a.ts"}</tool_call>', tools);
    expect(result.calls).toEqual([]);
    expect(result.problems).toEqual([
      'The call to edit_file could not be used: the arguments are plain text, not a JSON object. Call it like this: {"name": "edit_file", "arguments": {"path": "<path>", "old_text": "<old_text>", "new_text": "<new_text>"}}',
    ]);
  });

  it("reports truncated arguments rather than completing them", () => {
    const result = parseToolCallsFromText('<function=write_file>{"path": "a.py", "content": "def main():\n    pri', tools);
    expect(result.calls).toEqual([]);
    expect(result.problems).toEqual([
      'The call to write_file could not be used: the arguments are not valid JSON: a string is not closed (the output may have been cut off). Call it like this: {"name": "write_file", "arguments": {"path": "<path>", "content": "<content>"}}',
    ]);
  });

  it("reports a <tool_call> whose content is not a readable call", () => {
    expect(parseToolCallsFromText("<tool_call>\n{name: read_file, path}\n</tool_call>", tools).problems).toEqual([
      'A tool call could not be read: unexpected word "read_file" where a value should be. Write each call as {"name": "<tool name>", "arguments": {...}} with valid JSON.',
    ]);
    expect(parseToolCallsFromText('<tool_call>{"path": "a.ts"}</tool_call>', tools).problems).toEqual([
      'A tool call does not name a tool. Write each call as {"name": "<tool name>", "arguments": {...}}.',
    ]);
  });

  it("stays quiet about a tag that is only mentioned", () => {
    expect(parseToolCallsFromText("I will wrap my calls in <tool_call> tags from now on.", tools)).toEqual({ calls: [], problems: [] });
  });

  it("never throws, whatever the text", () => {
    const pieces = [
      "{",
      "}",
      "[",
      "]",
      '"',
      "'",
      ":",
      ",",
      "\n",
      "<tool_call>",
      "</tool_call>",
      "<function=read_file>",
      "<parameter=path>",
      "</function>",
      "```",
      "`",
      "[TOOL_CALLS]",
      "name",
      "read_file",
      "arguments",
      "\\",
      "True",
      "<think>",
      "</think>",
    ];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 30) }, () => pieces[Math.floor(random() * pieces.length)]).join("");
      const result = parseToolCallsFromText(text, tools);
      for (const call of result.calls) expect(tools.map((t) => t.name)).toContain(call.name);
    }
  });
});

describe("normalizeNativeCalls", () => {
  it("parses string arguments, fixes names, keeps ids", () => {
    const result = normalizeNativeCalls(
      [
        { id: "a", name: "Read_File", arguments: '{"path": "a.ts"}' },
        { id: "b", name: "run_command", arguments: { arguments: { command: "npm test" } } },
      ],
      tools,
    );
    expect(result.calls).toEqual([
      { id: "a", name: "read_file", arguments: { path: "a.ts" } },
      { id: "b", name: "run_command", arguments: { command: "npm test" } },
    ]);
    expect(result.rejected).toEqual([]);
    expect(result.repairs.get("a")).toEqual(['read the tool name "Read_File" as "read_file"']);
  });

  it("rejects what cannot be repaired, by id, with the expected form", () => {
    const result = normalizeNativeCalls(
      [
        { id: "a", name: "finish", arguments: '{"summary": "done' },
        { id: "b", name: "shell", arguments: { command: "ls" } },
        { id: "c", name: "git_status", arguments: {} },
      ],
      tools,
    );
    expect(result.calls).toEqual([{ id: "c", name: "git_status", arguments: {} }]);
    expect(result.rejected).toEqual([
      {
        id: "a",
        name: "finish",
        message:
          'The call to finish could not be used: the arguments are not valid JSON: a string is not closed (the output may have been cut off) (at character 13). Call it like this: {"name": "finish", "arguments": {"summary": "<summary>"}}',
      },
      { id: "b", name: "shell", message: `There is no tool named "shell". Available tools: ${tools.map((t) => t.name).join(", ")}.` },
    ]);
  });
});

describe("describeExpectedForm", () => {
  it("shows the required arguments as an example call and names the optional ones", () => {
    expect(describeExpectedForm(spec("read_file"))).toBe(
      '{"name": "read_file", "arguments": {"path": "<path>"}} (optional: "start_line" integer, "end_line" integer)',
    );
    expect(describeExpectedForm(spec("edit_file"))).toBe(
      '{"name": "edit_file", "arguments": {"path": "<path>", "old_text": "<old_text>", "new_text": "<new_text>"}}',
    );
    expect(describeExpectedForm(spec("grep"))).toBe(
      '{"name": "grep", "arguments": {"pattern": "<pattern>"}} (optional: "path" string, "glob" string, "ignore_case" boolean)',
    );
    expect(describeExpectedForm(spec("git_status"))).toBe('{"name": "git_status", "arguments": {}}');
  });

  it("uses enum values, examples and nested required properties", () => {
    const tool: ToolSpec = {
      name: "open_issue",
      description: "",
      parameters: {
        type: "object",
        properties: {
          kind: { type: "string", enum: ["bug", "feature"] },
          labels: { type: "array", items: { type: "string" } },
          owner: { type: "object", properties: { login: { type: "string" }, id: { type: "integer" } }, required: ["login"] },
          priority: { anyOf: [{ type: "integer" }, { type: "null" }] },
          title: { type: "string", examples: ["Crash on start"] },
        },
        required: ["kind", "labels", "owner", "priority", "title"],
      },
    };
    expect(describeExpectedForm(tool)).toBe(
      '{"name": "open_issue", "arguments": {"kind": "bug", "labels": ["<label>"], "owner": {"login": "<login>"}, "priority": 1, "title": "Crash on start"}}',
    );
  });
});

describe("repaired calls run through the real tools", () => {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), "tool-call-repair-")));
  writeFileSync(path.join(root, "notes.txt"), "one\ntwo\nthree\n");
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("reads a file through a call written with a mangled name, single quotes and a quoted number", async () => {
    const { calls: parsed } = parseToolCallsFromText(
      "<tool_call>\n{'name': 'ReadFile', 'arguments': {'path': 'notes.txt', 'start_line': '2'}}\n</tool_call>",
      tools,
    );
    const [call] = parsed;
    if (!call) throw new Error("no call parsed");
    const context = {
      root,
      guard: new PathGuard(root),
      runner: new HostRunner(root),
      signal: new AbortController().signal,
      commandTimeoutMs: 10_000,
    };
    const result = await callTool(fixTools, call.name, call.arguments, context);
    expect(result).toEqual({ isError: false, output: "2\ttwo\n3\tthree" });
  });
});
