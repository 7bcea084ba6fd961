import type { Finding, Severity } from "./findings.js";
import type { Placement } from "./place-findings.js";
import { severityIcon } from "./place-findings.js";
import { findingMarker, withoutMarkers } from "./finding-marker.js";
import type { ReviewPlan } from "./plan-review.js";

const SEVERITIES: readonly Severity[] = ["critical", "major", "minor", "nit"];
/** How every review body the bot writes begins; earlier reviews are recognised by it. */
export const REVIEW_HEADING = "### 🤖 Review of ";

/** The review's summary: the walkthrough, findings counted by severity, what is not inline and why, what was not reviewed. */
export function renderReviewBody(params: {
  readonly walkthrough: string;
  readonly placement: Placement;
  readonly plan: ReviewPlan;
  readonly headSha: string;
  readonly incrementalFrom: string | null;
  readonly model: string;
  readonly test?: string | null;
  /** Writes each summary finding's marker (see `finding-marker.ts`) for a review that is posted. */
  readonly markFindings?: boolean;
}): string {
  const { placement, plan } = params;
  const all: Finding[] = [...placement.inline.map((c) => c.finding), ...placement.summaryOnly.map((s) => s.finding)];
  const counts = SEVERITIES.map((s) => [s, all.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const scope = params.incrementalFrom ? `the changes since ${params.incrementalFrom.slice(0, 7)}` : "this pull request";
  const lines = [
    `${REVIEW_HEADING}${scope} at ${params.headSha.slice(0, 7)}`,
    "",
    withoutMarkers(params.walkthrough).trim() || "(no walkthrough)",
  ];
  lines.push(
    "",
    counts.length > 0 ? `**Findings:** ${counts.map(([s, n]) => `${severityIcon(s)} ${n} ${s}`).join(", ")}.` : "**Findings:** none.",
  );
  if (placement.repeated > 0) lines.push(`${placement.repeated} finding(s) already raised on an earlier commit are not repeated.`);
  if (placement.discussed > 0)
    lines.push(`${placement.discussed} finding(s) on threads already answered or resolved are not raised again.`);
  if (placement.summaryOnly.length > 0) {
    lines.push("", "<details><summary>Findings not placed inline</summary>", "");
    for (const { finding, why, fingerprint, topic } of placement.summaryOnly) {
      const where = finding.startLine ? `${finding.path}:${finding.startLine}-${finding.line}` : `${finding.path}:${finding.line}`;
      lines.push(
        `- ${severityIcon(finding.severity)} **${withoutMarkers(finding.title)}** (\`${where}\`, ${why}): ${withoutMarkers(finding.body).replace(/\n+/g, " ")}${params.markFindings ? ` ${findingMarker({ fingerprint, topic })}` : ""}`,
      );
    }
    lines.push("", "</details>");
  }
  if (plan.skipped.length > 0) {
    lines.push("", "<details><summary>Files not reviewed</summary>", "");
    for (const { path, reason } of plan.skipped) lines.push(`- \`${path}\`: ${reason}`);
    lines.push("", "</details>");
  }
  if (params.test) lines.push("", `**Tests:** ${params.test}`);
  lines.push(
    "",
    `<sub>Reviewed ${plan.reviewed.length} file(s) with ${params.model}. Each new push is reviewed for what it changes.</sub>`,
  );
  return lines.join("\n");
}
