/**
 * Scoring both sides of the retrieval bench by what reaches a model's context. A whole-file
 * ranking and a chunk ranking are not comparable as they come: a file is right whenever it holds
 * the function, however much else the model must then read. Here both become a ranked list of code
 * units (our chunks; the baseline's files read top to bottom as the same chunks), and both fill the
 * same token budget.
 */
import { chunkBlock } from "../src/index/context-pack.js";
import type { Chunk } from "../src/index/types.js";
import { estimateCounter } from "../src/llm/tokens/token-counter.js";
import type { Target } from "./index-corpus.js";

/** A piece of code as it is given to the model: a run of a file's lines. */
export type CodeUnit = Pick<Chunk, "path" | "startLine" | "endLine" | "text">;

export function overlapsTarget(unit: Pick<CodeUnit, "path" | "startLine" | "endLine">, target: Target): boolean {
  return unit.path === target.path && target.spans.some((s) => unit.startLine <= s.endLine && unit.endLine >= s.startLine);
}

/** The 1-based rank of the first unit that overlaps the target among the first `k`, or 0. */
export function unitRank(units: readonly CodeUnit[], target: Target, k: number): number {
  const i = units.slice(0, k).findIndex((u) => overlapsTarget(u, target));
  return i + 1;
}

/**
 * A whole-file ranking as the units a model would read: each file in rank order, top to bottom,
 * cut where our chunker cuts it, so both sides hand over pieces of the same sizes.
 */
export function filesAsUnits(paths: readonly string[], chunksOf: (path: string) => readonly CodeUnit[] | undefined): CodeUnit[] {
  return paths.flatMap((p) => [...(chunksOf(p) ?? [])].sort((a, b) => a.startLine - b.startLine));
}

/**
 * Whether any line of the target is among the lines given to a model that receives `units` in
 * order until `budget` tokens are spent. Each line costs what the product's estimate says (the
 * counter `contextFor` packs with) and each unit pays for a header (its location and a code
 * fence), as `contextFor` writes one per chunk. The unit that no longer fits is cut after its last
 * whole line, as a file is when it does not fit whole; lines already given are not paid twice.
 */
export function reachesContext(units: readonly CodeUnit[], target: Target, budget: number): boolean {
  let used = 0;
  const given = new Set<string>();
  for (const unit of units) {
    // The header the product writes around each chunk, and the blank line between chunks.
    used += estimateCounter.count(`${chunkBlock({ ...unit, symbols: [], text: "" })}\n\n`);
    const lines = unit.text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = unit.startLine + i;
      const key = `${unit.path}:${line}`;
      if (given.has(key)) continue;
      used += estimateCounter.count(lines[i]!) + 1;
      if (used > budget) return false;
      given.add(key);
      if (overlapsTarget({ path: unit.path, startLine: line, endLine: line }, target)) return true;
    }
  }
  return false;
}

/** Whole files as units: what a model reads when it is given a file. */
export function wholeFiles(paths: readonly string[], textOf: (path: string) => string | undefined): CodeUnit[] {
  return paths.flatMap((p) => {
    const text = textOf(p);
    return text === undefined ? [] : [{ path: p, startLine: 1, endLine: text.split("\n").length, text }];
  });
}
