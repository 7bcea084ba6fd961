/**
 * Paths as git writes them in diff headers. A path with a control character, a quote, a backslash
 * or (with the default `core.quotePath`) a non-ASCII byte is written in double quotes with C
 * escapes and octal bytes: `"a/\303\251t\303\251.txt"`. A path with a space is written bare, and
 * on `---`/`+++` lines git then adds a tab after it so that the end of the name stays visible.
 */

const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };

/**
 * Reads a quoted path starting at `text[start]` (a `"`); returns it and the index after the
 * closing quote, or null when the quoting is broken.
 */
export function readQuoted(text: string, start: number): { value: string; end: number } | null {
  const bytes: number[] = [];
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') return { value: Buffer.from(bytes).toString("utf8"), end: i + 1 };
    if (ch === "\\") {
      const next = text[i + 1];
      if (next === undefined) return null;
      if (/[0-7]/.test(next)) {
        const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))![0];
        bytes.push(parseInt(octal, 8) & 0xff);
        i += 1 + octal.length;
        continue;
      }
      const code = ESCAPES[next];
      if (code === undefined) return null;
      bytes.push(code);
      i += 2;
      continue;
    }
    let end = i + 1;
    while (end < text.length && text[end] !== '"' && text[end] !== "\\") end++;
    bytes.push(...Buffer.from(text.slice(i, end), "utf8"));
    i = end;
  }
  return null;
}

/** A path token that may be quoted, for the `rename from`/`copy to` lines that carry one path. */
export function unquotePath(text: string): string {
  if (text.startsWith('"')) {
    const quoted = readQuoted(text, 0);
    if (quoted) return quoted.value;
  }
  return text;
}

/**
 * The path of a `--- ` or `+++ ` line (given without that marker), without its prefix; null for
 * `/dev/null`. Anything after a tab is dropped: git's tab after a name with a space, or the
 * timestamp other diff tools write there.
 */
export function markerPath(text: string, prefix: string): string | null {
  let name: string;
  if (text.startsWith('"')) {
    const quoted = readQuoted(text, 0);
    name = quoted ? quoted.value : text;
  } else {
    const tab = text.indexOf("\t");
    name = tab >= 0 ? text.slice(0, tab) : text;
  }
  if (name === "/dev/null") return null;
  return stripPrefix(name, prefix);
}

/**
 * The two paths of a `diff --git ` line (given without that marker). Unquoted paths with spaces
 * are ambiguous in general; git only relies on this line for files without `---`/`+++` lines
 * (binary files, mode changes, pure renames), and for those the two names are equal unless a
 * `rename`/`copy` line names them, which the caller prefers.
 */
export function gitLinePaths(text: string, srcPrefix: string, dstPrefix: string): { oldPath: string; newPath: string } | null {
  if (text.startsWith('"')) {
    const first = readQuoted(text, 0);
    if (!first || text[first.end] !== " ") return null;
    const second = text.slice(first.end + 1);
    return { oldPath: stripPrefix(first.value, srcPrefix), newPath: stripPrefix(unquotePath(second), dstPrefix) };
  }
  const quotedSecond = text.indexOf(' "');
  if (quotedSecond > 0 && text.endsWith('"')) {
    return {
      oldPath: stripPrefix(text.slice(0, quotedSecond), srcPrefix),
      newPath: stripPrefix(unquotePath(text.slice(quotedSecond + 1)), dstPrefix),
    };
  }
  // Same name on both sides: `<src>P <dst>P`.
  const nameLength = (text.length - 1 - srcPrefix.length - dstPrefix.length) / 2;
  if (Number.isInteger(nameLength) && nameLength > 0) {
    const oldName = text.slice(srcPrefix.length, srcPrefix.length + nameLength);
    if (text === `${srcPrefix}${oldName} ${dstPrefix}${oldName}`) return { oldPath: oldName, newPath: oldName };
  }
  const split = text.indexOf(` ${dstPrefix}`, srcPrefix.length);
  if (split < 0) return null;
  return { oldPath: stripPrefix(text.slice(0, split), srcPrefix), newPath: text.slice(split + 1 + dstPrefix.length) };
}

function stripPrefix(name: string, prefix: string): string {
  return prefix !== "" && name.startsWith(prefix) ? name.slice(prefix.length) : name;
}
