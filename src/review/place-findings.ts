import type { DiffLineMap } from "../diff/line-map.js";
import type { Finding, Severity } from "./findings.js";
import { withoutMarkers } from "./finding-marker.js";
import { fingerprint, topic } from "./fingerprint.js";

export interface InlineComment {
  readonly path: string;
  readonly line: number;
  readonly side: "RIGHT" | "LEFT";
  readonly startLine?: number;
  readonly body: string;
  readonly finding: Finding;
  readonly fingerprint: string;
  readonly topic: string;
}

export interface Placement {
  readonly inline: InlineComment[];
  /** Findings that cannot be comments on the diff (outside it, or over the cap): listed in the summary. */
  readonly summaryOnly: Array<{ readonly finding: Finding; readonly why: string; readonly fingerprint: string; readonly topic: string }>;
  /** Findings posted before, or twice in this review. */
  readonly repeated: number;
  /** Findings whose subject a person already answered or resolved in a thread. */
  readonly discussed: number;
}

/** Nothing placed: for a review with no findings to place. */
export function noPlacement(): Placement {
  return { inline: [], summaryOnly: [], repeated: 0, discussed: 0 };
}

const ORDER: Record<Severity, number> = { critical: 0, major: 1, minor: 2, nit: 3 };
const ICON: Record<Severity, string> = { critical: "🛑", major: "⚠️", minor: "💡", nit: "🧹" };

/**
 * Decides where each finding goes. A finding becomes an inline comment only on a line the diff
 * shows (GitHub refuses any other, and a comment moved to a neighbouring line would point at the
 * wrong code); a replacement becomes a `suggestion` block only when it replaces exactly the
 * commented new-side lines and changes them. Findings posted before are not posted again, nor
 * findings on a subject people already answered or resolved.
 */
export function placeFindings(
  findings: readonly Finding[],
  map: DiffLineMap,
  options: {
    readonly posted: ReadonlySet<string>;
    /** Topics (see `topic()`) of threads a person answered or resolved: not raised again, whatever the code now is. */
    readonly discussed?: ReadonlySet<string>;
    readonly maxInline: number;
    /** The whole pull request's diff when `map` holds only a push's: the code a finding is about, for its fingerprint. */
    readonly codeMap?: DiffLineMap;
    /** The head's lines of a changed file, for a finding on lines no diff shows; null where unknown. */
    readonly codeAt?: (path: string, start: number, end: number) => string | null;
  },
): Placement {
  const inline: InlineComment[] = [];
  const summaryOnly: Placement["summaryOnly"] = [];
  const seen = new Set<string>();
  let repeated = 0;
  let discussed = 0;
  const ordered = [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  for (const finding of ordered) {
    const start = finding.startLine !== undefined && finding.startLine < finding.line ? finding.startLine : finding.line;
    const onDiff =
      start === finding.line
        ? map.canComment(finding.path, finding.side, finding.line)
        : map.canCommentRange(finding.path, finding.side, start, finding.line);
    const code =
      finding.side === "RIGHT"
        ? ((map.newSideText(finding.path, start, finding.line) ?? options.codeMap?.newSideText(finding.path, start, finding.line))?.join(
            "\n",
          ) ??
          options.codeAt?.(finding.path, start, finding.line) ??
          "")
        : "";
    const print = fingerprint(finding, code || `${finding.line}`);
    const subject = topic(finding);
    if (options.posted.has(print) || seen.has(print)) {
      repeated++;
      continue;
    }
    if (options.discussed?.has(subject)) {
      discussed++;
      continue;
    }
    seen.add(print);
    if (!onDiff) {
      summaryOnly.push({
        finding,
        why: map.file(finding.path) ? "on a line the diff does not show" : "on a file the diff does not change",
        fingerprint: print,
        topic: subject,
      });
      continue;
    }
    if (inline.length >= options.maxInline) {
      summaryOnly.push({ finding, why: "over the limit of inline comments", fingerprint: print, topic: subject });
      continue;
    }
    inline.push({
      path: finding.path,
      line: finding.line,
      side: finding.side,
      ...(start !== finding.line ? { startLine: start } : {}),
      body: commentBody(finding, code),
      finding,
      fingerprint: print,
      topic: subject,
    });
  }
  return { inline, summaryOnly, repeated, discussed };
}

function commentBody(finding: Finding, current: string): string {
  const parts = [
    `${ICON[finding.severity]} **${withoutMarkers(finding.title)}** (${finding.severity}, ${finding.category})`,
    "",
    withoutMarkers(finding.body),
  ];
  const replacement = finding.replacement?.replace(/\n$/, "");
  if (finding.side === "RIGHT" && replacement !== undefined && replacement !== current && !replacement.includes("```")) {
    parts.push("", "```suggestion", replacement, "```");
  }
  return parts.join("\n");
}

export function severityIcon(severity: Severity): string {
  return ICON[severity];
}
