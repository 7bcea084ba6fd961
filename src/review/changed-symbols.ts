import type { DiffFile } from "../diff/types.js";

export interface ChangedSymbols {
  /** Functions, classes and the like the change defines, edits or removes: their callers may break. */
  readonly changed: readonly string[];
  /** What the added lines call that the change does not define: a reviewer checks how it is used. */
  readonly called: readonly string[];
}

/** At most this many of each: the context is for the most telling names, not every one. */
const LIMIT = 8;

/** Words that look like calls or declarations but are the language's own, or its standard library's most common methods. */
const KEYWORDS = new Set(
  "if for while switch catch return function typeof instanceof new await yield delete void throw case else do try finally in of with super this self import export from require sizeof defined elif except lambda print assert not and or is match loop unsafe move ref where impl fn func go defer select chan map make len append cap panic recover println printf constructor get set static public private protected async def class struct enum trait interface type let const var sort push pop shift unshift filter reduce forEach join split slice splice includes indexOf keys values entries toString then resolve reject parse stringify log error warn info debug append extend items format strip lower upper replace startsWith endsWith trim range enumerate isinstance unwrap expect clone collect iter into".split(
    " ",
  ),
);

const DECLARATION = [
  /\b(?:function\*?|class|interface|def|fn|type|struct|enum|trait|module|record)\s+([A-Za-z_$][\w$]*)/g,
  /\bfunc\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)/g,
  /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)/g,
  // A method in a class body: `name(args) {` at the start of a line, with modifiers before it.
  /^\s*(?:(?:public|private|protected|static|async|override|readonly|get|set)\s+)*#?([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*(?::\s*[^{]+)?\{\s*$/g,
];
const CALL = /(?<![\w$])([A-Za-z_$][\w$]*)\s*\(/g;

/**
 * The names a review's related code is looked up by, from the diff alone: what the change
 * declares or edits (declarations on changed lines, and the declaration each changed line sits
 * in) and what its added lines call. Regular expressions, not a parser: a missed name costs only context.
 */
export function changedSymbols(files: readonly DiffFile[]): ChangedSymbols {
  const changed = new Set<string>();
  const called = new Set<string>();
  for (const file of files) {
    for (const hunk of file.hunks) {
      // The declaration a changed line sits in: the last one above it in the hunk, else the one git
      // names in the header (the last before the hunk, which is not the enclosing one when the hunk starts on a declaration).
      let enclosing = declared(hunk.section).filter(useful).at(-1);
      for (const line of hunk.lines) {
        // `constructor` and the like are not names to search by; the class around them is.
        const here = declared(line.text).filter(useful);
        if (here.length > 0) enclosing = here.at(-1);
        if (line.kind === "context") continue;
        for (const name of here) changed.add(name);
        if (enclosing !== undefined) changed.add(enclosing);
        if (line.kind === "add") for (const match of line.text.matchAll(CALL)) if (useful(match[1]!)) called.add(match[1]!);
      }
    }
  }
  return { changed: [...changed].slice(0, LIMIT), called: [...called].filter((name) => !changed.has(name)).slice(0, LIMIT) };
}

function declared(text: string): string[] {
  const names: string[] = [];
  for (const pattern of DECLARATION) for (const match of text.matchAll(pattern)) names.push(match[1]!);
  return names;
}

/** Too short or too common to find anything by: `a`, `map`, `if`. */
function useful(name: string): boolean {
  return name.length >= 3 && !KEYWORDS.has(name) && !KEYWORDS.has(name.toLowerCase());
}
