import * as linguist from "linguist-languages";

interface LinguistLanguage {
  readonly name: string;
  readonly type: "programming" | "markup" | "data" | "prose";
  readonly extensions?: readonly string[];
  readonly filenames?: readonly string[];
  readonly interpreters?: readonly string[];
}

/**
 * The tie-break for names, extensions and interpreters that several languages claim: the earlier
 * language in this list wins. It puts widely used languages first, and C before C++ and
 * Objective-C, because a `.h` with none of their marks (see `headerLanguage`) is plain C. Languages
 * not listed come after, ordered by whether the extension is their primary one, then by type
 * (programming, markup, data, prose), then by name, so every answer is deterministic.
 */
const PREFERENCE: readonly string[] = [
  "JavaScript",
  "TypeScript",
  "TSX",
  "Python",
  "Java",
  "C#",
  "C",
  "C++",
  "Objective-C",
  "Objective-C++",
  "PHP",
  "Go",
  "Rust",
  "Kotlin",
  "Swift",
  "Ruby",
  "Scala",
  "Dart",
  "Shell",
  "PowerShell",
  "Perl",
  "Lua",
  "R",
  "MATLAB",
  "Julia",
  "Haskell",
  "OCaml",
  "F#",
  "Elixir",
  "Erlang",
  "Clojure",
  "Common Lisp",
  "Scheme",
  "Groovy",
  "Fortran",
  "Pascal",
  "Assembly",
  "Unix Assembly",
  "Verilog",
  "VHDL",
  "GLSL",
  "SQL",
  "HTML",
  "CSS",
  "SCSS",
  "Markdown",
  "JSON",
  "YAML",
  "TOML",
  "XML",
  "INI",
  "TeX",
  "Text",
  "Makefile",
  "Dockerfile",
  "Raku",
  "Prolog",
  "D",
];

/** Extensions the preference order gets wrong, because their usual language is not a common one. */
const EXTENSION_OVERRIDES: Readonly<Record<string, string>> = {
  ".frag": "GLSL",
  ".spec": "RPM Spec",
  ".pp": "Puppet",
  ".properties": "Java Properties",
};

const TYPE_ORDER = ["programming", "markup", "data", "prose"] as const;

interface Tables {
  readonly byName: ReadonlyMap<string, LinguistLanguage>;
  readonly byFilename: ReadonlyMap<string, LinguistLanguage[]>;
  readonly byExtension: ReadonlyMap<string, LinguistLanguage[]>;
  readonly byInterpreter: ReadonlyMap<string, LinguistLanguage[]>;
}

let tables: Tables | undefined;

function buildTables(): Tables {
  const byName = new Map<string, LinguistLanguage>();
  const byFilename = new Map<string, LinguistLanguage[]>();
  const byExtension = new Map<string, LinguistLanguage[]>();
  const byInterpreter = new Map<string, LinguistLanguage[]>();
  const add = (map: Map<string, LinguistLanguage[]>, key: string, language: LinguistLanguage) => {
    const list = map.get(key) ?? [];
    if (!list.includes(language)) list.push(language);
    map.set(key, list);
  };
  for (const language of Object.values(linguist as unknown as Record<string, LinguistLanguage>)) {
    byName.set(language.name, language);
    for (const filename of language.filenames ?? []) add(byFilename, filename.toLowerCase(), language);
    for (const extension of language.extensions ?? []) add(byExtension, extension.toLowerCase(), language);
    for (const interpreter of language.interpreters ?? []) add(byInterpreter, interpreter, language);
  }
  return { byName, byFilename, byExtension, byInterpreter };
}

function getTables(): Tables {
  tables ??= buildTables();
  return tables;
}

/** The names in the preference order that linguist does not know (a check for upgrades). */
export function unknownPreferredLanguages(): string[] {
  const { byName } = getTables();
  return [...PREFERENCE, ...Object.values(EXTENSION_OVERRIDES)].filter((name) => !byName.has(name));
}

/**
 * The linguist language of a file, from its name, its extension and, when `head` (the start of
 * its text) is given, its shebang and a few content marks for `.h`. Returns null for unknown files.
 *
 * Order: an exact file name (`Makefile`, `Dockerfile`, `.bashrc`) decides first; then the longest
 * known extension (`.h.in` before `.in`); the shebang's interpreter narrows an ambiguous extension
 * and decides for files without one. The extension outranks the shebang when they disagree
 * (`build.ts` starting `#!/usr/bin/env node` is TypeScript), because the chunker picks its
 * grammar from this answer and the extension is what the author's tools went by.
 *
 * @example detectLanguage("src/app.ts") // "TypeScript"
 * @example detectLanguage("bin/tool", "#!/usr/bin/env python3\n") // "Python"
 */
export function detectLanguage(path: string, head?: string): string | null {
  const { byFilename, byName } = getTables();
  const name = path.slice(path.lastIndexOf("/") + 1);
  const byFile = byFilename.get(name.toLowerCase());
  if (byFile) return pick(byFile, null, head);
  if (/^(Dockerfile|Containerfile)[.-]/i.test(name)) return "Dockerfile";

  const extension = longestExtension(name);
  const override = extension ? EXTENSION_OVERRIDES[extension] : undefined;
  if (override && byName.has(override)) return override;
  const byExtension = extension ? (getTables().byExtension.get(extension) ?? []) : [];
  const byShebang = head === undefined ? [] : shebangLanguages(head);

  if (byExtension.length === 0) return byShebang.length > 0 ? pick(byShebang, null, head) : null;
  const narrowed = byExtension.filter((language) => byShebang.includes(language));
  return pick(narrowed.length > 0 ? narrowed : byExtension, extension, head);
}

/** `a.d.ts` → `.d.ts` if known, else `.ts`; dotfiles' leading dot does not start an extension. */
function longestExtension(name: string): string | null {
  const { byExtension } = getTables();
  const lower = name.toLowerCase();
  for (let dot = lower.indexOf(".", 1); dot !== -1; dot = lower.indexOf(".", dot + 1)) {
    const candidate = lower.slice(dot);
    if (byExtension.has(candidate)) return candidate;
  }
  return null;
}

function shebangLanguages(head: string): LinguistLanguage[] {
  const interpreter = shebangInterpreter(head);
  if (!interpreter) return [];
  const { byInterpreter } = getTables();
  // python3.11 → python3 → python: linguist lists interpreters without minor versions.
  for (let name = interpreter; name !== "";) {
    const found = byInterpreter.get(name);
    if (found) return found;
    const shorter = name.replace(/\.\d+$/, "").replace(/\d+$/, "");
    if (shorter === name) break;
    name = shorter;
  }
  return [];
}

/**
 * The interpreter a `#!` line names: `#!/usr/bin/python3` → `python3`,
 * `#!/usr/bin/env -S node --no-warnings` → `node`.
 */
export function shebangInterpreter(head: string): string | null {
  if (!head.startsWith("#!")) return null;
  const line = head.slice(2, head.search(/\r?\n|$/));
  const words = line
    .trim()
    .split(/\s+/)
    .filter((word) => word !== "");
  let program = words.shift();
  if (program === undefined) return null;
  if (basename(program) === "env") {
    program = words.find((word) => !word.startsWith("-") && !/^\w+=/.test(word));
    if (program === undefined) return null;
  }
  return basename(program);
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function pick(candidates: readonly LinguistLanguage[], extension: string | null, head: string | undefined): string | null {
  if (candidates.length === 0) return null;
  if (candidates.length === 1) return candidates[0]?.name ?? null;
  const names = candidates.map((language) => language.name);
  if (head !== undefined) {
    const marked = headerLanguage(head, names);
    if (marked) return marked;
  }
  const rank = (language: LinguistLanguage): readonly [number, number, number, string] => {
    const preferred = PREFERENCE.indexOf(language.name);
    const primary = extension !== null && language.extensions?.[0]?.toLowerCase() === extension ? 0 : 1;
    return [preferred === -1 ? PREFERENCE.length : preferred, primary, TYPE_ORDER.indexOf(language.type), language.name];
  };
  const sorted = [...candidates].sort((a, b) => compareRanks(rank(a), rank(b)));
  return sorted[0]?.name ?? null;
}

function compareRanks(a: readonly [number, number, number, string], b: readonly [number, number, number, string]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0);
}

/** Linguist's own heuristics for C-family headers, reduced to the marks that settle most files. */
const OBJECTIVE_C_MARKS = /^\s*(@(interface|class|protocol|property|end|synchronised|selector|implementation)\b|#import\s+.+\.h[">])/m;
const CPP_MARKS: readonly RegExp[] = [
  /^\s*#\s*include\s*<(cstdint|string|vector|map|list|array|bitset|queue|stack|forward_list|unordered_map|unordered_set|memory|(i|o|io)stream)>/m,
  /^\s*template\s*</m,
  /^[ \t]*(try|constexpr)\b/m,
  /^[ \t]*catch\s*\(/m,
  /^[ \t]*(class|(using[ \t]+)?namespace)\s+\w+/m,
  /^[ \t]*(private|public|protected):\s*$/m,
  /__has_cpp_attribute|__cplusplus\s*>/,
  /\bstd::\w+/,
];

function headerLanguage(head: string, names: readonly string[]): string | null {
  if (names.includes("Objective-C") && OBJECTIVE_C_MARKS.test(head)) return "Objective-C";
  if (names.includes("C++") && CPP_MARKS.some((mark) => mark.test(head))) return "C++";
  return null;
}
