import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { chunkFile } from "../../src/index/chunk/chunk-file.js";
import { parserFor, PARSED_LANGUAGES } from "../../src/index/chunk/grammars.js";
import { decodeText } from "../../src/index/scan/decode-text.js";
import type { Chunk } from "../../src/index/types.js";
import { estimateCounter } from "../../src/llm/tokens/token-counter.js";

const root = path.resolve(import.meta.dirname, "../..");
const fromRoot = (relative: string) => path.join(root, relative);

/** Debian's own Python standard library: python3 is on every machine this runs on. */
function pythonStandardLibrary(file: string): string {
  const versions = readdirSync("/usr/lib")
    .filter((name) => /^python3\.\d+$/.test(name) && existsSync(path.join("/usr/lib", name, file)))
    .sort();
  const found = versions[versions.length - 1];
  if (!found) throw new Error(`no /usr/lib/python3.*/${file}: install python3 (Debian: apt-get install python3)`);
  return path.join("/usr/lib", found, file);
}

function lineNumberOf(text: string, pattern: RegExp): number {
  const index = text.split(/\r?\n/).findIndex((line) => pattern.test(line));
  if (index === -1) throw new Error(`no line matches ${pattern}`);
  return index + 1;
}

/**
 * The line that closes the declaration starting at `line`: the next `}` at the same indentation
 * for brace languages, the last line of the indented block for Python.
 */
function closingLine(text: string, line: number): number {
  const lines = text.split(/\r?\n/);
  const opening = lines[line - 1] ?? "";
  const indent = /^\s*/.exec(opening)?.[0] ?? "";
  if (/:\s*$/.test(opening) && !opening.includes("{")) {
    let last = line;
    for (let i = line; i < lines.length; i++) {
      const current = lines[i] ?? "";
      if (current.trim() === "") continue;
      if ((/^\s*/.exec(current)?.[0] ?? "").length <= indent.length) break;
      last = i + 1;
    }
    return last;
  }
  for (let i = line; i < lines.length; i++) if ((lines[i] ?? "").startsWith(`${indent}}`)) return i + 1;
  throw new Error(`no closing brace for line ${line}`);
}

/** What must hold for any file: the cap, the tiling, the hashes, the ids. */
function expectWellFormed(chunks: readonly Chunk[], text: string, maxTokens = 512): void {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  const covered = new Set<number>();
  for (const chunk of chunks) {
    expect(estimateCounter.count(chunk.text), `${chunk.path}:${chunk.startLine} over the cap`).toBeLessThanOrEqual(maxTokens);
    expect(chunk.startLine).toBeGreaterThanOrEqual(1);
    expect(chunk.endLine).toBeGreaterThanOrEqual(chunk.startLine);
    expect(chunk.endLine).toBeLessThanOrEqual(lines.length);
    expect(chunk.contentHash).toBe(createHash("sha256").update(chunk.text).digest("hex"));
    expect(chunk.id).toMatch(/^[0-9a-f]{32}$/);
    const slice = lines.slice(chunk.startLine - 1, chunk.endLine).join("\n");
    if (chunk.startLine === chunk.endLine && chunk.text !== slice) expect(slice).toContain(chunk.text);
    else expect(chunk.text).toBe(slice);
    for (let line = chunk.startLine; line <= chunk.endLine; line++) covered.add(line);
  }
  const missing = lines.map((line, i) => (line.trim() !== "" && !covered.has(i + 1) ? i + 1 : null)).filter((line) => line !== null);
  expect(missing, "non-blank lines in no chunk").toEqual([]);
  expect(new Set(chunks.map((chunk) => chunk.id)).size, "ids distinct within the file").toBe(chunks.length);
}

/** The chunks of one declaration: its symbols and kind (a class's member groups share its symbols, not its kind). */
const chunksOf = (chunks: readonly Chunk[], symbols: readonly string[], kind: string) =>
  chunks.filter(
    (chunk) => chunk.kind === kind && chunk.symbols.length === symbols.length && chunk.symbols.every((name, i) => name === symbols[i]),
  );

interface Expected {
  readonly symbols: readonly string[];
  readonly kind: string;
  /** The declaration's own line (not its doc comment). */
  readonly line: RegExp;
  readonly signature: string;
  /** True when the declaration is long enough to be cut into windows, all of which carry its name. */
  readonly windows?: boolean;
  /** False for a split container, whose own chunk is only its header. */
  readonly wholeBody?: boolean;
}

interface RealFile {
  readonly language: string;
  readonly file: string;
  readonly expected: readonly Expected[];
  /** A line inside one declaration to change, and what to change in it. */
  readonly mutate: { readonly line: RegExp; readonly from: string; readonly to: string };
}

const REAL_FILES: readonly RealFile[] = [
  {
    language: "TypeScript",
    file: "node_modules/zod/src/v4/core/util.ts",
    expected: [
      {
        symbols: ["floatSafeRemainder"],
        kind: "function",
        line: /^export function floatSafeRemainder\(/,
        signature: "export function floatSafeRemainder(val: number, step: number): number",
      },
      { symbols: ["Cached"], kind: "class", line: /^class Cached<T> \{/, signature: "class Cached<T>" },
      {
        symbols: ["defineLazy"],
        kind: "function",
        line: /^export function defineLazy<T, K extends keyof T>\(/,
        signature: "export function defineLazy<T, K extends keyof T>(object: T, key: K, getter: () => T[K]): void",
      },
    ],
    mutate: { line: /const roundedRatio = Math\.round\(ratio\);/, from: "Math.round(ratio)", to: "Math.round(ratio * 1)" },
  },
  {
    language: "JavaScript",
    file: "node_modules/commander/lib/command.js",
    expected: [
      {
        symbols: ["Command"],
        kind: "class",
        line: /^class Command extends EventEmitter \{/,
        signature: "class Command extends EventEmitter",
        wholeBody: false,
      },
      { symbols: ["Command", "createCommand"], kind: "method", line: /^ {2}createCommand\(name\) \{/, signature: "createCommand(name)" },
      { symbols: ["Command", "createHelp"], kind: "method", line: /^ {2}createHelp\(\) \{/, signature: "createHelp()" },
    ],
    mutate: { line: /return new Command\(name\);/, from: "new Command(name)", to: "new Command(String(name))" },
  },
  {
    language: "C++",
    file: "node_modules/better-sqlite3/src/objects/statement.cpp",
    expected: [
      {
        symbols: ["Statement", "JS_run"],
        kind: "function",
        line: /^NODE_METHOD\(Statement::JS_run\) \{/,
        signature: "NODE_METHOD(Statement::JS_run)",
      },
      {
        symbols: ["Statement", "GetBindMap"],
        kind: "function",
        line: /^BindMap\* Statement::GetBindMap\(/,
        signature: "BindMap* Statement::GetBindMap(v8::Isolate* isolate)",
      },
      {
        symbols: ["Statement", "JS_columns"],
        kind: "function",
        line: /^NODE_METHOD\(Statement::JS_columns\) \{/,
        signature: "NODE_METHOD(Statement::JS_columns)",
        windows: true,
      },
    ],
    mutate: { line: /int param_count = sqlite3_bind_parameter_count\(handle\);/, from: "param_count", to: "parameter_count" },
  },
  {
    language: "C++",
    file: "node_modules/better-sqlite3/src/objects/database.hpp",
    expected: [
      {
        symbols: ["Database"],
        kind: "class",
        line: /^class Database : public node::ObjectWrap \{/,
        signature: "class Database : public node::ObjectWrap",
        wholeBody: false,
      },
    ],
    mutate: { line: /static const int MAX_BUFFER_SIZE/, from: "MAX_BUFFER_SIZE", to: "MAX_BUFFER_BYTES" },
  },
  {
    language: "C",
    file: "node_modules/web-tree-sitter/lib/stack.c",
    expected: [
      {
        symbols: ["ts_stack_new"],
        kind: "function",
        line: /^Stack \*ts_stack_new\(SubtreePool \*subtree_pool\) \{/,
        signature: "Stack *ts_stack_new(SubtreePool *subtree_pool)",
      },
      { symbols: ["StackNode"], kind: "struct", line: /^struct StackNode \{/, signature: "struct StackNode" },
      {
        symbols: ["stack__iter"],
        kind: "function",
        line: /^static StackSliceArray stack__iter\(/,
        signature:
          "static StackSliceArray stack__iter( Stack *self, StackVersion version, StackCallback callback, void *payload, int goal_subtree_count )",
        windows: true,
      },
    ],
    mutate: { line: /^ {2}array_clear\(&self->heads\);/, from: "array_clear", to: "array_erase" },
  },
  {
    language: "Python",
    file: pythonStandardLibrary("textwrap.py"),
    expected: [
      { symbols: ["TextWrapper"], kind: "class", line: /^class TextWrapper:/, signature: "class TextWrapper", wholeBody: false },
      {
        symbols: ["TextWrapper", "_munge_whitespace"],
        kind: "method",
        line: /^ {4}def _munge_whitespace\(self, text\):/,
        signature: "def _munge_whitespace(self, text)",
      },
      {
        symbols: ["shorten"],
        kind: "function",
        line: /^def shorten\(text, width, \*\*kwargs\):/,
        signature: "def shorten(text, width, **kwargs)",
      },
    ],
    mutate: { line: /text = text\.expandtabs\(self\.tabsize\)/, from: "self.tabsize", to: "self.tabsize or 8" },
  },
  {
    language: "Go",
    file: "test/fixtures/source-files/analyze.go",
    expected: [
      {
        symbols: ["isInIgnoredFolder"],
        kind: "function",
        line: /^func isInIgnoredFolder\(path string\) bool \{/,
        signature: "func isInIgnoredFolder(path string) bool",
      },
      { symbols: ["analyze"], kind: "struct", line: /^type analyze struct \{/, signature: "type analyze struct" },
      { symbols: ["main"], kind: "function", line: /^func main\(\) \{/, signature: "func main()", windows: true },
    ],
    mutate: { line: /encountered\[files\[v\]\] = true/, from: "true", to: "!false" },
  },
  {
    language: "Rust",
    file: "test/fixtures/source-files/coverall.rs",
    expected: [
      { symbols: ["Coveralls"], kind: "impl", line: /^impl Coveralls \{/, signature: "impl Coveralls", wholeBody: false },
      {
        symbols: ["Coveralls", "maybe_throw_complex"],
        kind: "method",
        line: /^ {4}fn maybe_throw_complex\(/,
        signature: "fn maybe_throw_complex(&self, input: i8) -> ComplexResult<bool>",
      },
      { symbols: ["ComplexError"], kind: "enum", line: /^pub enum ComplexError \{/, signature: "pub enum ComplexError" },
    ],
    mutate: { line: /^ {16}extended_code: 20,/, from: "20", to: "21" },
  },
  {
    language: "Java",
    file: "test/fixtures/source-files/Bridge.java",
    expected: [
      { symbols: ["Bridge"], kind: "class", line: /^public class Bridge \{/, signature: "public class Bridge", wholeBody: false },
      {
        symbols: ["Bridge", "getPluginWithRequestCode"],
        kind: "method",
        line: /^ {4}public PluginHandle getPluginWithRequestCode\(int requestCode\) \{/,
        signature: "public PluginHandle getPluginWithRequestCode(int requestCode)",
        windows: true,
      },
      {
        symbols: ["Bridge", "Builder", "create"],
        kind: "method",
        line: /^ {8}public Bridge create\(\) \{/,
        signature: "public Bridge create()",
        windows: true,
      },
    ],
    mutate: { line: /^ {8}return this\.config\.getServerUrl\(\);/, from: "this.config", to: "this.config()" },
  },
];

describe("chunkFile on real files", () => {
  for (const real of REAL_FILES) {
    describe(`${real.language}: ${path.basename(real.file)}`, () => {
      const absolute = path.isAbsolute(real.file) ? real.file : fromRoot(real.file);
      const text = readFileSync(absolute, "utf8");
      const chunk = (source = text) => chunkFile({ path: real.file, language: real.language, text: source });

      it("is well formed: under the cap, every line covered, ids distinct", async () => {
        const chunks = await chunk();
        expect(chunks.length).toBeGreaterThan(1);
        expectWellFormed(chunks, text);
        expect(chunks.every((c) => c.path === real.file && c.language === real.language)).toBe(true);
        // Small neighbours are merged: nowhere near one chunk per two lines.
        expect(chunks.length).toBeLessThan(text.split("\n").length / 8);
      });

      it("finds the known declarations at their lines, with kinds, symbols and signatures", async () => {
        const chunks = await chunk();
        for (const expected of real.expected) {
          const found = chunksOf(chunks, expected.symbols, expected.kind);
          expect(found.length, `${expected.symbols.join(".")} in ${real.file}`).toBeGreaterThan(0);
          const first = found[0]!;
          const last = found[found.length - 1]!;
          const line = lineNumberOf(text, expected.line);
          expect(found.map((c) => c.signature)).toEqual(found.map(() => expected.signature));
          // The chunk starts at the declaration or at the doc comment and attributes right above it.
          expect(first.startLine).toBeLessThanOrEqual(line);
          expect(first.text.split("\n")[line - first.startLine]).toMatch(expected.line);
          const above = text.split("\n").slice(first.startLine - 1, line - 1);
          expect(
            above.every((l) => /^\s*(\/\/|\/\*|\*|#|@)|^\s*$/.test(l)),
            `only comments and attributes above ${expected.symbols.join(".")}`,
          ).toBe(true);
          // The whole body, and at most the small code that follows it up to the next declaration.
          if (expected.wholeBody !== false) expect(last.endLine).toBeGreaterThanOrEqual(closingLine(text, line));
          if (expected.wholeBody !== false) expect(last.endLine).toBeLessThan(closingLine(text, line) + 10);
          if (expected.windows) expect(found.length).toBeGreaterThan(1);
          else expect(found).toHaveLength(1);
        }
      });

      it("gives the same ids on a second run, and a change in one declaration changes only its chunk", async () => {
        const before = await chunk();
        const again = await chunk();
        expect(again.map((c) => c.id)).toEqual(before.map((c) => c.id));

        const line = lineNumberOf(text, real.mutate.line);
        const lines = text.split("\n");
        expect(lines[line - 1]).toContain(real.mutate.from);
        lines[line - 1] = (lines[line - 1] ?? "").replace(real.mutate.from, real.mutate.to);
        const after = await chunk(lines.join("\n"));

        const touched = before.filter((c) => c.startLine <= line && line <= c.endLine);
        expect(touched).toHaveLength(1);
        const beforeIds = new Set(before.map((c) => c.id));
        const afterIds = new Set(after.map((c) => c.id));
        expect(before.filter((c) => !afterIds.has(c.id)).map((c) => c.id)).toEqual([touched[0]!.id]);
        const added = after.filter((c) => !beforeIds.has(c.id));
        expect(added).toHaveLength(1);
        expect(added[0]!.symbols).toEqual(touched[0]!.symbols);
        expect(added[0]!.text).toContain(real.mutate.to);
      });

      it("keeps every id when blank lines are added between declarations", async () => {
        const before = await chunk();
        const line = lineNumberOf(text, real.expected[0]!.line);
        const start = chunksOf(before, real.expected[0]!.symbols, real.expected[0]!.kind)[0]!.startLine;
        expect(start).toBeLessThanOrEqual(line);
        const lines = text.split("\n");
        lines.splice(start - 1, 0, "", "");
        const after = await chunk(lines.join("\n"));
        expect(after.map((c) => c.id)).toEqual(before.map((c) => c.id));
        expect(after.map((c) => c.startLine)).toEqual(before.map((c) => (c.startLine >= start ? c.startLine + 2 : c.startLine)));
      });
    });
  }
});

describe("chunkFile options and grammars", () => {
  it("loads each grammar once and shares it", async () => {
    for (const language of PARSED_LANGUAGES) {
      const first = parserFor(language);
      expect(parserFor(language)).toBe(first);
      expect(await first, language).not.toBeNull();
    }
    expect(await parserFor("COBOL")).toBeNull();
    expect(await parserFor(null)).toBeNull();
  });

  it("keeps a smaller cap, splitting more", async () => {
    const file = "node_modules/commander/lib/command.js";
    const text = readFileSync(fromRoot(file), "utf8");
    const small = await chunkFile({ path: file, language: "JavaScript", text }, { maxTokens: 128 });
    const large = await chunkFile({ path: file, language: "JavaScript", text });
    expectWellFormed(small, text, 128);
    expect(small.length).toBeGreaterThan(large.length);
  });

  it("chunks TSX: components and their props", async () => {
    const text = [
      'import React from "react";',
      "",
      "interface ButtonProps {",
      "  label: string;",
      "  onClick(): void;",
      "}",
      "",
      "export function Button({ label, onClick }: ButtonProps) {",
      "  const [pressed, setPressed] = React.useState(false);",
      "  return (",
      '    <button className={pressed ? "pressed" : "idle"} onClick={() => { setPressed(true); onClick(); }}>',
      "      {label}",
      "    </button>",
      "  );",
      "}",
      "",
      "export const Toolbar = ({ items }: { items: ButtonProps[] }) => (",
      '  <nav aria-label="toolbar">',
      "    {items.map((item) => <Button key={item.label} {...item} />)}",
      "  </nav>",
      ");",
      "",
    ].join("\n");
    const chunks = await chunkFile({ path: "src/toolbar.tsx", language: "TSX", text }, { minTokens: 0 });
    expectWellFormed(chunks, text);
    expect(chunks.map((c) => [c.kind, c.symbols.join("."), c.startLine, c.endLine])).toEqual([
      ["code", "", 1, 1],
      ["interface", "ButtonProps", 3, 6],
      ["function", "Button", 8, 15],
      ["function", "Toolbar", 17, 21],
    ]);
    expect(chunks[3]!.signature).toBe("export const Toolbar = ({ items }: { items: ButtonProps[] }) =>");
  });

  it("gives two identical declarations in one file distinct ids", async () => {
    const body = "def handler(event):\n    return event\n";
    const text = `${body}\n\n${body}`;
    const chunks = await chunkFile({ path: "twice.py", language: "Python", text }, { minTokens: 0 });
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.contentHash).toBe(chunks[1]!.contentHash);
    expect(chunks[0]!.id).not.toBe(chunks[1]!.id);
    const again = await chunkFile({ path: "twice.py", language: "Python", text }, { minTokens: 0 });
    expect(again.map((c) => c.id)).toEqual(chunks.map((c) => c.id));
  });
});

/** Declaration forms the real files above do not show, one small file per language. */
const FORMS: ReadonlyArray<{
  readonly language: string;
  readonly text: string;
  readonly expected: ReadonlyArray<readonly [string, string, string]>;
}> = [
  {
    language: "Go",
    text: "package server\n\n// Server serves.\ntype Server struct {\n\taddr string\n}\n\ntype Handler interface {\n\tHandle() error\n}\n\ntype ID = int64\n\nfunc (s *Server) Serve(port int) error {\n\treturn nil\n}\n\nfunc (h handlers[T]) Len() int { return len(h) }\n",
    expected: [
      ["struct", "Server", "type Server struct"],
      ["interface", "Handler", "type Handler interface"],
      ["type", "ID", "type ID = int64"],
      ["method", "Server.Serve", "func (s *Server) Serve(port int) error"],
      ["method", "handlers.Len", "func (h handlers[T]) Len() int"],
    ],
  },
  {
    language: "Rust",
    text: "pub trait Shape {\n    fn area(&self) -> f64;\n}\n\nimpl<T: Copy> Shape for Square<T> {\n    fn area(&self) -> f64 {\n        self.side * self.side\n    }\n}\n\nmod geometry {\n    pub fn origin() -> (i32, i32) {\n        (0, 0)\n    }\n}\n\nmacro_rules! square {\n    ($x:expr) => { $x * $x };\n}\n\ntype Meters = f64;\n",
    expected: [
      ["trait", "Shape", "pub trait Shape"],
      ["impl", "Square", "impl<T: Copy> Shape for Square<T>"],
      ["module", "geometry", "mod geometry"],
      ["macro", "square", "macro_rules! square"],
      ["type", "Meters", "type Meters = f64"],
    ],
  },
  {
    language: "TypeScript",
    text: 'export namespace Geometry {\n  export function area(r: number): number {\n    return Math.PI * r * r;\n  }\n}\n\nexport enum Color { Red, Green }\n\nexport abstract class Shape {\n  abstract area(): number;\n  describe(): string {\n    return "shape";\n  }\n}\n\ndeclare module "geometry" {\n  export function origin(): [number, number];\n}\n',
    expected: [
      ["namespace", "Geometry", "export namespace Geometry"],
      ["enum", "Color", "export enum Color"],
      ["class", "Shape", "export abstract class Shape"],
      ["module", "geometry", 'declare module "geometry"'],
    ],
  },
  {
    language: "JavaScript",
    text: 'function Parser(text) {\n  this.text = text;\n}\n\nParser.prototype.parse = function () {\n  return this.text.split(",");\n};\n\nmodule.exports.createParser = (text) => new Parser(text);\n\nconst settings = {\n  strict: true,\n  depth: 3,\n};\n',
    expected: [
      ["function", "Parser", "function Parser(text)"],
      ["function", "Parser.prototype.parse", "Parser.prototype.parse = function ()"],
      ["function", "module.exports.createParser", "module.exports.createParser = (text) =>"],
      ["constant", "settings", "const settings"],
    ],
  },
  {
    language: "Python",
    text: "class Cache:\n    @property\n    def size(self):\n        return len(self.items)\n\n\n@functools.lru_cache(maxsize=None)\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n",
    expected: [
      ["class", "Cache", "class Cache"],
      ["function", "fib", "def fib(n)"],
    ],
  },
  {
    language: "Java",
    text: "public interface Shape {\n    double area();\n}\n\nenum Color { RED, GREEN }\n\nrecord Point(int x, int y) {\n    Point {\n        if (x < 0) throw new IllegalArgumentException();\n    }\n}\n",
    expected: [
      ["interface", "Shape", "public interface Shape"],
      ["enum", "Color", "enum Color"],
      ["record", "Point", "record Point(int x, int y)"],
    ],
  },
  {
    language: "C++",
    text: "namespace geometry {\ntemplate <typename T>\nT square(T value) {\n    return value * value;\n}\n}\n\ndouble geometry::Circle::circumference() const {\n    return 2 * 3.14 * r;\n}\n\nnamespace {\nint hidden() { return 1; }\n}\n",
    expected: [
      ["namespace", "geometry", "namespace geometry"],
      ["function", "geometry.Circle.circumference", "double geometry::Circle::circumference() const"],
      ["namespace", "(anonymous)", "namespace"],
    ],
  },
  {
    language: "C",
    text: 'typedef struct {\n    int x;\n    int y;\n} Point;\n\n#define SQUARE(x) ((x) * (x))\n\nenum color { RED, GREEN };\n\nstatic int (*lookup(const char *name))(int) {\n    return 0;\n}\n\n#ifdef DEBUG\nvoid trace(const char *message) {\n    fprintf(stderr, "%s\\n", message);\n}\n#endif\n',
    expected: [
      ["type", "Point", "typedef struct"],
      ["macro", "SQUARE", "#define SQUARE(x) ((x) * (x))"],
      ["enum", "color", "enum color"],
      ["function", "lookup", "static int (*lookup(const char *name))(int)"],
      ["function", "trace", "void trace(const char *message)"],
    ],
  },
];

describe("chunkFile declaration forms", () => {
  it.each(FORMS)("$language", async ({ language, text, expected }) => {
    const chunks = await chunkFile({ path: "forms", language, text }, { minTokens: 0 });
    expectWellFormed(chunks, text);
    const named = chunks.filter((c) => c.kind !== "code").map((c) => [c.kind, c.symbols.join("."), c.signature]);
    expect(named).toEqual(expected);
  });

  it("splits a large container into a header and members named under it", async () => {
    const methods = Array.from(
      { length: 12 },
      (_, i) => `    def step_${i}(self, value):\n        total = value * ${i}\n        return self.scale(total) + ${i}\n`,
    );
    const text = `class Pipeline(Base):\n    """Runs steps."""\n\n${methods.join("\n")}`;
    const chunks = await chunkFile({ path: "pipeline.py", language: "Python", text }, { maxTokens: 64, minTokens: 0 });
    expectWellFormed(chunks, text, 64);
    expect(chunks[0]).toMatchObject({ kind: "class", symbols: ["Pipeline"], signature: "class Pipeline(Base)", startLine: 1 });
    expect(chunks.filter((c) => c.kind === "method").map((c) => c.symbols.join("."))).toEqual(methods.map((_, i) => `Pipeline.step_${i}`));
  });
});

describe("chunkFile fallback and odd input", () => {
  it("cuts a file without a grammar into overlapping line windows", async () => {
    const file = "node_modules/commander/Readme.md";
    const text = readFileSync(fromRoot(file), "utf8");
    const chunks = await chunkFile({ path: file, language: "Markdown", text });
    expectWellFormed(chunks, text);
    expect(chunks.every((c) => c.kind === "lines" && c.symbols.length === 0 && c.signature === null)).toBe(true);
    expect(chunks.every((c) => c.endLine - c.startLine < 60)).toBe(true);
    const overlapping = chunks.slice(1).filter((c, i) => c.startLine <= chunks[i]!.endLine);
    expect(overlapping.length).toBeGreaterThan(0);
  });

  it("uses line windows for an unknown language too", async () => {
    const text = readFileSync(fromRoot("node_modules/commander/lib/command.js"), "utf8");
    const chunks = await chunkFile({ path: "command.js", language: null, text });
    expectWellFormed(chunks, text);
    expect(new Set(chunks.map((c) => c.kind))).toEqual(new Set(["lines"]));
  });

  it("returns no chunks for empty and blank files", async () => {
    expect(await chunkFile({ path: "empty.ts", language: "TypeScript", text: "" })).toEqual([]);
    expect(await chunkFile({ path: "blank.py", language: "Python", text: "\n\n   \n\t\n" })).toEqual([]);
    expect(await chunkFile({ path: "blank.txt", language: null, text: "\r\n\r\n" })).toEqual([]);
  });

  it("cuts one huge line (a real minified bundle) into pieces under the cap", async () => {
    const file = "node_modules/protobufjs/dist/protobuf.min.js";
    const bundle = readFileSync(fromRoot(file), "utf8");
    const line = bundle.split("\n").reduce((a, b) => (b.length > a.length ? b : a));
    expect(line.length).toBeGreaterThan(50_000);
    for (const language of ["JavaScript", null]) {
      const chunks = await chunkFile({ path: "bundle.js", language, text: line });
      expectWellFormed(chunks, line);
      expect(chunks.length).toBeGreaterThan(10);
      expect(chunks.every((c) => c.startLine === 1 && c.endLine === 1)).toBe(true);
      expect(chunks.map((c) => c.text).join("")).toBe(line);
    }
  });

  it("still chunks a file with broken syntax", async () => {
    const file = "node_modules/zod/src/v4/core/util.ts";
    const text = readFileSync(fromRoot(file), "utf8");
    const lines = text.split("\n");
    const middle = Math.floor(lines.length / 2);
    const broken = [...lines.slice(0, middle), "export function ((( {{{ oops", ...lines.slice(middle + 3)].join("\n");
    const chunks = await chunkFile({ path: file, language: "TypeScript", text: broken });
    expectWellFormed(chunks, broken);
    expect(chunksOf(chunks, ["floatSafeRemainder"], "function")).toHaveLength(1);
  });

  it("treats CRLF line endings like LF: same ranges, texts and ids", async () => {
    const file = pythonStandardLibrary("textwrap.py");
    const text = readFileSync(file, "utf8");
    const lf = await chunkFile({ path: "textwrap.py", language: "Python", text });
    const crlf = await chunkFile({ path: "textwrap.py", language: "Python", text: text.replace(/\n/g, "\r\n") });
    expect(crlf.map((c) => [c.id, c.startLine, c.endLine, c.kind])).toEqual(lf.map((c) => [c.id, c.startLine, c.endLine, c.kind]));
    expect(crlf.some((c) => c.text.includes("\r"))).toBe(false);
  });

  it("chunks non-UTF-8 text decoded lossily", async () => {
    const latin1 = Buffer.from("/* Copyright (c) 2024 Jos\xe9 Mu\xf1oz */\nint add(int a, int b) {\n  return a + b;\n}\n", "latin1");
    const text = decodeText(latin1);
    expect(text).toContain("\ufffd");
    const chunks = await chunkFile({ path: "add.c", language: "C", text });
    expectWellFormed(chunks, text);
    expect(chunks[0]!.symbols).toEqual(["add"]);
    expect(chunks[0]!.startLine).toBe(1);
  });

  it("survives deep nesting, ending in windows instead of a stack overflow", async () => {
    const depth = 3000;
    const text = `const deep =\n${"[\n".repeat(depth)}1\n${"]\n".repeat(depth)}`;
    for (const language of ["JavaScript", "Python", "C"]) {
      const chunks = await chunkFile({ path: "deep.txt", language, text });
      expectWellFormed(chunks, text);
    }
  });

  it("does not throw on binary bytes handed in as text", async () => {
    const bytes = readFileSync(fromRoot("node_modules/web-tree-sitter/tree-sitter.wasm")).subarray(0, 30_000);
    const text = decodeText(bytes);
    for (const language of ["C", "Python", "TypeScript", null]) {
      const chunks = await chunkFile({ path: "blob", language, text });
      expectWellFormed(chunks, text);
    }
  });
});
