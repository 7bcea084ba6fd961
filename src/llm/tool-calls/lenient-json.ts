/**
 * A tolerant JSON reader for model output. Small models write "almost JSON": single quotes,
 * Python literals, trailing commas, unquoted keys, comments, smart quotes, raw newlines in strings,
 * a missing closing brace. This reader accepts those and says what it had to repair; it never
 * throws and never evaluates anything. Every other module reads model output through it, so no
 * caller has to decide between `JSON.parse` throwing and guessing.
 *
 * No lenient-JSON library is installed (json5 and jsonrepair are not dependencies), so this is a
 * small recursive-descent reader. Valid JSON reads exactly as `JSON.parse` reads it.
 */

export interface LenientSuccess {
  readonly ok: true;
  readonly value: unknown;
  /** Index just past the value (and, for a whole-text read, past any ignored trailing closers). */
  readonly end: number;
  /** What was repaired, in plain words; empty for valid JSON. */
  readonly repairs: readonly string[];
}

export interface LenientFailure {
  readonly ok: false;
  readonly message: string;
  /** Index in the text where reading failed. */
  readonly offset: number;
}

export type LenientResult = LenientSuccess | LenientFailure;

/** Reads the whole text as one JSON value; trailing stray closers (`}`, `]`) are dropped. */
export function parseLenientJson(text: string): LenientResult {
  const reader = new Reader(text);
  return reader.run(() => {
    reader.skipBom();
    reader.skipTrivia();
    if (reader.atEnd()) throw new ReadError("there is no JSON value, only empty text", reader.pos);
    const value = reader.value();
    reader.skipTrivia();
    // Models close one brace too many (`{...}}}`), or leave a stray `]` after an object.
    while (!reader.atEnd() && "}])".includes(reader.peek())) {
      reader.repair(`ignored an unmatched "${reader.peek()}" after the value`);
      reader.pos++;
      reader.skipTrivia();
    }
    if (!reader.atEnd()) throw new ReadError("unexpected text after the JSON value", reader.pos);
    return value;
  });
}

/**
 * Reads one JSON value starting at `start` (which should be at `{` or `[`), ignoring whatever
 * follows it. Used to pick call objects out of prose.
 */
export function parseLenientJsonAt(text: string, start: number): LenientResult {
  const reader = new Reader(text, start);
  return reader.run(() => reader.value());
}

/** Where the reader gave up on the text; caught inside this module and turned into a result. */
class ReadError extends Error {
  readonly reason = "unreadable-json";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const MAX_DEPTH = 256;
const WHITESPACE = new Set([" ", "\t", "\n", "\r", "\u00a0", "\u2028", "\u2029"]);
// Smart quotes open a string when a model (or a word processor) typed them instead of `"`.
const STRING_CLOSERS: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  "`": "`",
  "\u201c": "\u201d\u201c", // “ … ”
  "\u201d": "\u201d\u201c",
  "\u2018": "\u2019\u2018", // ‘ … ’
};
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  "`": "`",
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};
const NUMBER = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_$][\w$]*/y;
const KEY_WORD = /[A-Za-z_$][\w$-]*/y;

class Reader {
  pos: number;
  #depth = 0;
  readonly #repairs = new Set<string>();

  constructor(
    readonly text: string,
    start = 0,
  ) {
    this.pos = start;
  }

  run(read: () => unknown): LenientResult {
    try {
      const value = read();
      return { ok: true, value, end: this.pos, repairs: [...this.#repairs] };
    } catch (error) {
      if (error instanceof ReadError) return { ok: false, message: error.message, offset: error.offset };
      throw error;
    }
  }

  repair(what: string): void {
    this.#repairs.add(what);
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? "";
  }

  skipBom(): void {
    if (this.peek() === "\ufeff") this.pos++;
  }

  skipTrivia(): void {
    for (;;) {
      const c = this.peek();
      if (WHITESPACE.has(c)) {
        this.pos++;
      } else if (c === "/" && this.peek(1) === "/") {
        this.repair("removed comments");
        this.#skipLine();
      } else if (c === "/" && this.peek(1) === "*") {
        this.repair("removed comments");
        const close = this.text.indexOf("*/", this.pos + 2);
        this.pos = close === -1 ? this.text.length : close + 2;
      } else if (c === "#") {
        this.repair("removed comments");
        this.#skipLine();
      } else {
        return;
      }
    }
  }

  #skipLine(): void {
    const newline = this.text.indexOf("\n", this.pos);
    this.pos = newline === -1 ? this.text.length : newline + 1;
  }

  value(): unknown {
    this.skipTrivia();
    if (this.atEnd()) throw new ReadError("the text ends where a value should be", this.pos);
    const c = this.peek();
    if (c === "{") return this.#object();
    if (c === "[") return this.#array();
    if (c in STRING_CLOSERS) return this.#string();
    if (c === "-" || c === "+" || c === "." || (c >= "0" && c <= "9")) return this.#number();
    return this.#word();
  }

  #enter(): void {
    if (++this.#depth > MAX_DEPTH) throw new ReadError(`nesting is deeper than ${MAX_DEPTH} levels`, this.pos);
  }

  #object(): Record<string, unknown> {
    this.#enter();
    this.pos++; // {
    const result: Record<string, unknown> = {};
    for (;;) {
      this.skipTrivia();
      if (this.atEnd()) {
        this.repair('added a missing "}"');
        break;
      }
      const c = this.peek();
      if (c === "}") {
        this.pos++;
        break;
      }
      if (c === "]") {
        // `{"a": [1, 2}]`-style mix-ups: close the object here and let the array take its `]`.
        this.repair('added a "}" that was missing before "]"');
        break;
      }
      if (c === ",") {
        this.repair("removed an extra comma");
        this.pos++;
        continue;
      }
      const keyStart = this.pos;
      const key = this.#key();
      this.skipTrivia();
      if (this.atEnd()) {
        this.repair(`dropped the unfinished member "${key}"`);
        break;
      }
      if (this.peek() !== ":") throw new ReadError(`expected ":" after the property name "${key}"`, this.pos);
      this.pos++;
      this.skipTrivia();
      if (this.atEnd()) {
        this.repair(`dropped the unfinished member "${key}"`);
        break;
      }
      if ("},]".includes(this.peek())) throw new ReadError(`the property "${key}" has no value`, keyStart);
      assign(result, key, this.value());
      this.skipTrivia();
      const next = this.peek();
      if (next === ",") {
        this.pos++;
        this.skipTrivia();
        if (this.peek() === "}") this.repair("removed a trailing comma");
      } else if (next in STRING_CLOSERS || isKeyStart(next)) {
        this.repair("inserted a missing comma");
      } else if (next !== "}" && next !== "]" && next !== "") {
        throw new ReadError(`expected "," or "}" after the value of "${key}"`, this.pos);
      }
    }
    this.#depth--;
    return result;
  }

  #array(): unknown[] {
    this.#enter();
    this.pos++; // [
    const result: unknown[] = [];
    for (;;) {
      this.skipTrivia();
      if (this.atEnd()) {
        this.repair('added a missing "]"');
        break;
      }
      const c = this.peek();
      if (c === "]") {
        this.pos++;
        break;
      }
      if (c === "}") {
        this.repair('added a "]" that was missing before "}"');
        break;
      }
      if (c === ",") {
        this.repair("removed an extra comma");
        this.pos++;
        continue;
      }
      result.push(this.value());
      this.skipTrivia();
      const next = this.peek();
      if (next === ",") {
        this.pos++;
        this.skipTrivia();
        if (this.peek() === "]") this.repair("removed a trailing comma");
      } else if (next in STRING_CLOSERS || next === "{" || next === "[" || /[\d-]/.test(next)) {
        this.repair("inserted a missing comma");
      } else if (next !== "]" && next !== "}" && next !== "") {
        throw new ReadError('expected "," or "]" in a list', this.pos);
      }
    }
    this.#depth--;
    return result;
  }

  #key(): string {
    const c = this.peek();
    if (c in STRING_CLOSERS) return this.#string();
    KEY_WORD.lastIndex = this.pos;
    const match = KEY_WORD.exec(this.text);
    if (!match) throw new ReadError("expected a property name", this.pos);
    this.repair("quoted unquoted property names");
    this.pos += match[0].length;
    return match[0];
  }

  #string(): string {
    const open = this.peek();
    const closers = STRING_CLOSERS[open] ?? '"';
    if (open !== '"')
      this.repair(open === "'" ? "replaced single quotes" : open === "`" ? "replaced backtick quotes" : "replaced smart quotes");
    const start = this.pos;
    this.pos++;
    let out = "";
    for (;;) {
      if (this.atEnd()) {
        // A string cut off by the end of the text means the output was truncated; completing it
        // would hand a tool half a file or half a command, so this is refused, not repaired.
        throw new ReadError("a string is not closed (the output may have been cut off)", start);
      }
      const c = this.text[this.pos] as string;
      if (c === "\\") {
        out += this.#escape();
        continue;
      }
      if (closers.includes(c) && this.#closesString()) {
        this.pos++;
        return out;
      }
      if (closers.includes(c)) this.repair("escaped quotes inside a string");
      else if (c < " ") this.repair("escaped raw control characters inside a string");
      out += c;
      this.pos++;
    }
  }

  /**
   * Whether the quote at `pos` ends the string. In valid JSON a closing quote is always followed
   * by `,` `:` `}` `]` or the end, so this never changes how valid JSON reads; it lets
   * `"say "hi" now"` and `'it's'` through as the model meant them. A comment, or (after a space)
   * another quoted string, also ends it: `"a" // note` and `"a" "b"` with the comma missing.
   */
  #closesString(): boolean {
    let i = this.pos + 1;
    while (i < this.text.length && WHITESPACE.has(this.text[i] as string)) i++;
    const spaced = i > this.pos + 1;
    const next = this.text[i];
    if (next === undefined || ",:}]".includes(next)) return true;
    if (next === "/" && (this.text[i + 1] === "/" || this.text[i + 1] === "*")) return true;
    return spaced && (next === "#" || next in STRING_CLOSERS);
  }

  #escape(): string {
    const n = this.text[this.pos + 1];
    if (n === undefined) {
      this.pos++;
      return "\\";
    }
    const simple = SIMPLE_ESCAPES[n];
    if (simple !== undefined) {
      this.pos += 2;
      return simple;
    }
    if (n === "u" && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
      const code = Number.parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16);
      this.pos += 6;
      return String.fromCharCode(code);
    }
    // `\(` or `\d` in a regex argument: keep both characters, as Python's string reading does.
    this.repair("kept an unknown escape sequence");
    this.pos += 2;
    return `\\${n}`;
  }

  #number(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) throw new ReadError("expected a number", this.pos);
    const text = match[0];
    if (!/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text)) this.repair("normalized a number");
    this.pos += text.length;
    return Number(text);
  }

  #word(): unknown {
    WORD.lastIndex = this.pos;
    const match = WORD.exec(this.text);
    if (!match) throw new ReadError(`unexpected character "${this.peek()}"`, this.pos);
    const word = match[0];
    const literals: Record<string, unknown> = { true: true, false: false, null: null };
    const python: Record<string, unknown> = { True: true, False: false, None: null };
    if (word in literals) {
      this.pos += word.length;
      return literals[word];
    }
    if (word in python) {
      this.repair("replaced Python literals (True, False, None)");
      this.pos += word.length;
      return python[word];
    }
    throw new ReadError(`unexpected word "${word}" where a value should be`, this.pos);
  }
}

function isKeyStart(c: string): boolean {
  return /[A-Za-z_$]/.test(c);
}

/** Sets a property the way `JSON.parse` does: `__proto__` becomes an own property, not the prototype. */
function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
