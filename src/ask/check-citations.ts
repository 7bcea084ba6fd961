import { readFile } from "node:fs/promises";
import type { PathGuard } from "../safety/path-guard.js";

/** Where a citation leads: a permanent link to those lines at the commit the answer was read from. */
export type CitationLink = (path: string, start: number, end: number) => string;

/**
 * Checks every `path:line` or `path:start-end` an answer cites against the checkout: a citation of
 * a file that does not exist, or of lines past its end, is marked so nobody follows it blindly.
 * Small models invent line numbers; a marked citation is honest, a silent one misleads. With
 * `link`, every real citation becomes a link to its lines.
 */
export async function checkCitations(answer: string, guard: PathGuard, link?: CitationLink): Promise<{ text: string; valid: number; invalid: number }> {
  const pattern = /`?([\w./-]+\.[A-Za-z0-9]+):(\d+)(?:-(\d+))?`?/g;
  const lengths = new Map<string, number | null>();
  let valid = 0;
  let invalid = 0;
  const replacements: Array<{ from: number; to: number; text: string }> = [];
  for (const match of answer.matchAll(pattern)) {
    const [whole, file = "", startText = "0", endText] = match;
    if (!lengths.has(file)) {
      try {
        const resolved = await guard.resolve(file);
        lengths.set(file, (await readFile(resolved, "utf8")).split("\n").length);
      } catch {
        lengths.set(file, null);
      }
    }
    const length = lengths.get(file) ?? null;
    const start = Number(startText);
    const end = Number(endText ?? startText);
    const at = match.index ?? 0;
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
