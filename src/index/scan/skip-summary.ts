import type { SkipReason, SkippedFile } from "../types.js";

const LABELS: Readonly<Record<SkipReason, string>> = {
  excluded: "excluded",
  binary: "binary",
  vendored: "vendored",
  generated: "generated",
  minified: "minified",
  "too-large": "too large",
  unreadable: "unreadable",
};

const ORDER: readonly SkipReason[] = ["excluded", "vendored", "generated", "minified", "binary", "too-large", "unreadable"];

/**
 * One line on what the scan left out, largest group first (ties in a fixed order).
 *
 * @example summarizeSkipped(skipped) // "skipped 12 files: 5 vendored, 4 generated, 2 binary, 1 too large"
 */
export function summarizeSkipped(skipped: readonly SkippedFile[]): string {
  if (skipped.length === 0) return "skipped no files";
  const counts = new Map<SkipReason, number>();
  for (const file of skipped) counts.set(file.reason, (counts.get(file.reason) ?? 0) + 1);
  const parts = [...counts]
    .sort(([a, countA], [b, countB]) => countB - countA || ORDER.indexOf(a) - ORDER.indexOf(b))
    .map(([reason, count]) => `${count} ${LABELS[reason]}`);
  return `skipped ${skipped.length} ${skipped.length === 1 ? "file" : "files"}: ${parts.join(", ")}`;
}
