import { readFile } from "node:fs/promises";
import type { PathGuard } from "../safety/path-guard.js";

/** Where a citation leads: a permanent link to those lines at the commit the answer was read from. */
export type CitationLink = (path: string, start: number, end: number) => string;

/** `path:line` or `path:start-end`, bare or as a whole code span. */
const CITATION = /(`?)([\w./-]+\.[A-Za-z0-9]+):(\d+)(?:-(\d+))?\1(?![\w`])/g;
/** Markdown a citation inside must be left alone: fenced blocks, code spans and links. */
const PROTECTED = /```[\s\S]*?(?:```|$)|`[^`\n]+`|\[[^\]\n]*\]\([^)\n]*\)/g;

/**
 * Checks every `path:line` or `path:start-end` an answer cites against the checkout: a citation of
 * a file that does not exist, or of lines past its end, is marked so nobody follows it blindly.
 * Small models invent line numbers; a marked citation is honest, a silent one misleads. With
 * `link`, every real citation becomes a link to its lines. Citations inside code blocks, inside a
 * longer code span or inside a link are the model's own formatting and are left as written.
 */
export async function checkCitations(
  answer: string,
  guard: PathGuard,
  link?: CitationLink,
): Promise<{ text: string; valid: number; invalid: number }> {
  const protectedRanges = [...answer.matchAll(PROTECTED)].map((m) => ({ from: m.index ?? 0, to: (m.index ?? 0) + m[0].length }));
  const lengths = new Map<string, number | null>();
  let valid = 0;
  let invalid = 0;
  const replacements: Array<{ from: number; to: number; text: string }> = [];
  for (const match of answer.matchAll(CITATION)) {
    const [whole, , file = "", startText = "0", endText] = match;
    const at = match.index ?? 0;
    // A code span that is exactly this citation is the citation; anything else around it is not.
    const inside = protectedRanges.find((r) => at < r.to && at + whole.length > r.from);
    if (inside && !(inside.from === at && inside.to === at + whole.length)) continue;
    if (!lengths.has(file)) lengths.set(file, await lineCount(guard, file));
    const length = lengths.get(file) ?? null;
    const start = Number(startText);
    const end = Number(endText ?? startText);
    if (length !== null && start >= 1 && end >= start && end <= length) {
      valid++;
      if (link) replacements.push({ from: at, to: at + whole.length, text: `[${whole}](${link(file, start, end)})` });
      continue;
    }
    invalid++;
    replacements.push({ from: at, to: at + whole.length, text: `${whole} _(not found in the code)_` });
  }
  let text = answer;
  for (const r of replacements.reverse()) text = text.slice(0, r.from) + r.text + text.slice(r.to);
  return { text, valid, invalid };
}

/** Lines in the file as an editor numbers them (a final newline ends the last line, it starts none); null when it cannot be read. */
async function lineCount(guard: PathGuard, file: string): Promise<number | null> {
  try {
    const content = await readFile(await guard.resolve(file), "utf8");
    return content.split("\n").length - (content.endsWith("\n") ? 1 : 0);
  } catch {
    return null;
  }
}
