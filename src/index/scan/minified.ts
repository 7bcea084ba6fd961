/** Lines longer than this are not written by hand (formatters wrap at 80–120 columns). */
const LONG_LINE = 1000;

/**
 * Why the text looks minified (or is otherwise machine-packed, like an inlined base64 blob), or
 * null. The test is on where the characters are, not on one odd line: most of the file (at least
 * half of its characters) sits on lines over 1,000 characters, and those lines are dense, with
 * under a tenth of their characters whitespace. Real bundles measure 1–3 % whitespace on such
 * lines; prose kept one paragraph to a line (Markdown often is) measures about 15 %, and a source
 * file with one long embedded string keeps most of its characters on short lines. Files this
 * describes cannot be chunked into anything a person or a model would read.
 *
 * @example minifiedBecause(readFileSync("dist/app.min.js", "utf8")) // "98% of characters on lines over 1,000 characters"
 */
export function minifiedBecause(text: string): string | null {
  let total = 0;
  let long = 0;
  let longWhitespace = 0;
  let lineStart = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text.charCodeAt(i) !== 10) continue;
    const length = i - lineStart;
    total += length;
    if (length > LONG_LINE) {
      long += length;
      longWhitespace += countWhitespace(text, lineStart, i);
    }
    lineStart = i + 1;
  }
  if (total === 0 || long * 2 < total || longWhitespace * 10 >= long) return null;
  return `${Math.round((long / total) * 100)}% of characters on lines over 1,000 characters`;
}

function countWhitespace(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 9 || code === 13) count++;
  }
  return count;
}
