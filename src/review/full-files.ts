import { estimateCounter } from "../llm/tokens/token-counter.js";
import type { DiffFile } from "../diff/types.js";

/** Files larger than this are not worth fetching whole: they would never fit a small model's window. */
const MAX_FILE_BYTES = 200_000;
/** The forge is asked for at most this many files per review. */
const MAX_FILES = 12;

export interface FullFiles {
  /** Each file under its heading, every line numbered as the diff numbers it; empty when none fit. */
  readonly text: string;
  readonly included: readonly string[];
  /** Every file read, whether it fit or not: what a finding off the diff is about. */
  readonly contents: ReadonlyMap<string, string>;
}

/**
 * The changed files whole, as they are at the head, for as many as the budget allows in the plan's
 * order (most important first). A diff shows a few lines around each change; a reviewer who sees
 * the whole function, its imports and its neighbours finds the bug the hunk only hints at. A file
 * the diff adds is left out, since its diff already shows every line, and so is a file that does
 * not fit, so a smaller one after it may still come in.
 */
export async function fullFilesWithin(params: {
  readonly files: readonly DiffFile[];
  readonly read: (path: string) => Promise<string | null>;
  readonly budgetTokens: number;
}): Promise<FullFiles> {
  const parts: string[] = [];
  const included: string[] = [];
  const contents = new Map<string, string>();
  let left = params.budgetTokens;
  let asked = 0;
  for (const file of params.files) {
    if (left <= 0 || asked >= MAX_FILES) break;
    if (file.status === "added" || file.status === "removed" || file.binary) continue;
    asked++;
    const content = await params.read(file.path);
    if (content === null || content.length > MAX_FILE_BYTES || content.includes("\0")) continue;
    contents.set(file.path, content);
    const part = `### ${file.path} (whole file)\n${numberedLines(content)}`;
    const cost = estimateCounter.count(part) + 20;
    if (cost > left) continue;
    parts.push(part);
    included.push(file.path);
    left -= cost;
  }
  return { text: parts.join("\n\n"), included, contents };
}

/** Every line with its number, padded like `numberedPatch` so the two read alike. */
function numberedLines(content: string): string {
  const lines = content.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const width = String(lines.length).length + 1;
  return lines.map((line, i) => `${String(i + 1).padStart(width)}   ${line.endsWith("\r") ? line.slice(0, -1) : line}`).join("\n");
}
