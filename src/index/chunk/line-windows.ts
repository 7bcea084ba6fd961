import type { LineTable } from "./line-table.js";

/** A stretch of lines (0-based, inclusive); `text` is set when it is a piece of one long line. */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly text?: string;
}

export interface WindowOptions {
  readonly maxTokens: number;
  /** Lines per window at most. Default: no limit but the tokens. */
  readonly maxLines?: number;
  /** Lines a window repeats from the end of the one before it. Default 0. */
  readonly overlap?: number;
  /** Lines a window may start at for a cleaner cut (statement starts); lines after a blank line always may. */
  readonly cuts?: ReadonlySet<number>;
}

/**
 * Cuts lines `start`..`end` into windows under the token cap. A window that stops early for the
 * cap ends at the last good cut in its second half, if there is one, so statements stay whole. A
 * single line over the cap (minified code, a data blob) is cut into pieces of that line.
 *
 * @example lineWindows(table, 0, table.count - 1, { maxTokens: 512, maxLines: 60, overlap: 10 })
 */
export function lineWindows(table: LineTable, start: number, end: number, options: WindowOptions): Span[] {
  const maxLines = options.maxLines ?? Number.POSITIVE_INFINITY;
  const overlap = options.overlap ?? 0;
  const spans: Span[] = [];
  let position = start;
  while (position <= end) {
    if (table.lineTokens(position) > options.maxTokens) {
      for (const text of sliceLongLine(table.lines[position] ?? "", options.maxTokens, (piece) => table.countText(piece))) {
        spans.push({ start: position, end: position, text });
      }
      position++;
      continue;
    }
    // Windows aim at an even share of what is left, so a long function does not end in a
    // three-line scrap; the cap bounds each one, and a clean cut near the aim beats the aim.
    const remaining = table.tokens(position, end);
    const target = Math.ceil(remaining / Math.ceil(remaining / options.maxTokens));
    let capEnd = position;
    let targetEnd = position;
    let tokens = table.lineTokens(position);
    while (capEnd + 1 <= end && capEnd + 1 - position < maxLines && tokens + table.lineTokens(capEnd + 1) <= options.maxTokens) {
      capEnd++;
      tokens += table.lineTokens(capEnd);
      if (tokens <= target) targetEnd = capEnd;
    }
    const windowEnd = capEnd >= end ? end : preferredEnd(table, position, targetEnd, capEnd, options.cuts);
    spans.push({ start: position, end: windowEnd });
    if (windowEnd >= end) break;
    const length = windowEnd - position + 1;
    // Overlap only between full windows: next to a long line or after a short window it would
    // repeat most of the window instead of a few lines of context.
    const overlapped = length > 2 * overlap && table.lineTokens(windowEnd + 1) <= options.maxTokens;
    position = overlapped ? windowEnd + 1 - overlap : windowEnd + 1;
  }
  return spans;
}

/** The window end nearest the aim, among ends before a statement start or after a blank line. */
function preferredEnd(table: LineTable, start: number, aim: number, cap: number, cuts: ReadonlySet<number> | undefined): number {
  const earliest = start + Math.floor((aim - start) / 2);
  let best = -1;
  for (let candidate = earliest; candidate <= cap; candidate++) {
    const next = candidate + 1;
    if (!(cuts?.has(next) || table.isBlank(candidate))) continue;
    if (best === -1 || Math.abs(candidate - aim) < Math.abs(best - aim)) best = candidate;
  }
  return best === -1 ? aim : best;
}

/**
 * Pieces of one line, each under the cap by the counter. Pieces never split a surrogate pair;
 * a cap below the price of one character still yields one-character pieces, so this always ends.
 */
export function sliceLongLine(line: string, maxTokens: number, count: (text: string) => number): string[] {
  const pieces: string[] = [];
  // Priced once for the whole line: re-pricing the rest for every piece would be quadratic.
  const perCharacter = Math.max(count(line) / Math.max(line.length, 1), 1e-6);
  const guess = Math.max(1, Math.floor((maxTokens / perCharacter) * 0.95));
  let from = 0;
  while (from < line.length) {
    let length = Math.min(guess, line.length - from);
    while (length > 1 && count(line.slice(from, from + length)) > maxTokens) length = Math.max(1, Math.floor(length * 0.9));
    let to = from + length;
    const code = line.charCodeAt(to);
    if (to < line.length && code >= 0xdc00 && code <= 0xdfff && to - 1 > from) to--;
    pieces.push(line.slice(from, to));
    from = to;
  }
  return pieces;
}
