import type { DiffFile, FileStatus } from "./types.js";

/** What a review's walkthrough and its ordering of files need to know about one changed file. */
export interface FileSummary {
  readonly path: string;
  readonly previousPath: string | null;
  readonly status: FileStatus;
  readonly additions: number;
  readonly deletions: number;
  readonly hunks: number;
  /** Set when the file mode changed, e.g. `{ from: "100644", to: "100755" }` for a script made executable. */
  readonly modeChange: { readonly from: string; readonly to: string } | null;
  /** No lines to comment on: binary, or the forge left the patch out. */
  readonly unreviewable: "binary" | "patch-omitted" | null;
  /** The distinct function contexts of the hunks (`function foo`, `class Bar {`), in file order. */
  readonly sections: readonly string[];
  /** New-side runs of added lines (old-side runs of deleted lines for a removed file), 1-based, inclusive. */
  readonly changedRanges: readonly { readonly start: number; readonly end: number }[];
}

/**
 * @example
 * describeFile(summarizeFile(file)); // "src/a.ts (renamed from src/b.ts) +3 -1 in 2 hunks: function foo; class Bar"
 */
export function summarizeFile(file: DiffFile): FileSummary {
  const sections: string[] = [];
  const changedRanges: { start: number; end: number }[] = [];
  const removed = file.status === "removed";
  for (const hunk of file.hunks) {
    const section = hunk.section.trim();
    if (section !== "" && !sections.includes(section)) sections.push(section);
    for (const line of hunk.lines) {
      const number = removed ? (line.kind === "del" ? line.oldLine : null) : line.kind === "add" ? line.newLine : null;
      if (number === null) continue;
      const last = changedRanges[changedRanges.length - 1];
      if (last && last.end === number - 1) last.end = number;
      else changedRanges.push({ start: number, end: number });
    }
  }
  return {
    path: file.path,
    previousPath: file.previousPath,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    hunks: file.hunks.length,
    modeChange: file.oldMode && file.newMode && file.oldMode !== file.newMode ? { from: file.oldMode, to: file.newMode } : null,
    unreviewable: file.binary ? "binary" : file.patchOmitted ? "patch-omitted" : null,
    sections,
    changedRanges,
  };
}

/** One line for a walkthrough or a prompt's file list. */
export function describeFile(summary: FileSummary): string {
  const origin =
    summary.previousPath && summary.status !== "modified"
      ? ` (${summary.status} from ${summary.previousPath})`
      : summary.status === "modified"
        ? ""
        : ` (${summary.status})`;
  const size = summary.unreviewable === "binary" ? "binary" : `+${summary.additions} -${summary.deletions}`;
  const where = summary.hunks > 0 ? ` in ${summary.hunks} hunk${summary.hunks === 1 ? "" : "s"}` : "";
  const sections = summary.sections.length > 0 ? `: ${summary.sections.join("; ")}` : "";
  const omitted = summary.unreviewable === "patch-omitted" ? " (diff too large to show)" : "";
  const mode = summary.modeChange ? ` (mode ${summary.modeChange.from} -> ${summary.modeChange.to})` : "";
  return `${summary.path}${origin}${mode} ${size}${where}${sections}${omitted}`;
}
