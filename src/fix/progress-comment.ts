import { stopReasonText } from "../agent/stop-conditions.js";
import type { FileChange, RunFigures, TestOutcome } from "./fix-checkpoint.js";
import { phaseText, type Phase } from "./phase.js";

const header = (requestedBy: string, dryRun: boolean) =>
  `🛠️ **coder-bot** — \`/coder fix${dryRun ? " --dry-run" : ""}\` requested by @${requestedBy}`;

export function renderWorking(params: {
  requestedBy: string;
  dryRun: boolean;
  phase: Phase;
  detail?: string;
  jobId: number;
  model: string;
}): string {
  const order: Phase[] = ["prepare", "work", "test", "commit", "publish"];
  const current = order.indexOf(params.phase);
  const lines = order
    .filter((p) => !(params.dryRun && p === "publish"))
    .map((p, i) => {
      const mark = i < current ? "x" : " ";
      const suffix = i === current ? ` ⏳${params.detail ? ` ${params.detail}` : ""}` : "";
      return `- [${mark}] ${capitalize(phaseText[p])}${suffix}`;
    });
  return [
    header(params.requestedBy, params.dryRun),
    "",
    ...lines,
    "",
    `<sub>job ${params.jobId} · ${params.model} · this comment updates as the work goes</sub>`,
  ].join("\n");
}

export function renderQueued(params: { requestedBy: string; dryRun: boolean; jobId: number }): string {
  return [header(params.requestedBy, params.dryRun), "", "⏳ Starting…", "", `<sub>job ${params.jobId}</sub>`].join("\n");
}

export function renderDone(params: {
  requestedBy: string;
  dryRun: boolean;
  outcome: string;
  pullRequest?: { number: number; url: string; draft: boolean } | null;
  branch?: string | null;
  test: TestOutcome;
  files: readonly FileChange[];
  figures: RunFigures;
  summary: string | null;
  notes?: readonly string[];
  diff?: string;
}): string {
  const rows: Array<[string, string]> = [];
  if (params.pullRequest) rows.push(["Pull request", `#${params.pullRequest.number}${params.pullRequest.draft ? " (draft)" : ""}`]);
  if (params.branch) rows.push(["Branch", `\`${params.branch}\``]);
  rows.push(["Tests", renderTest(params.test)]);
  rows.push([
    "Files changed",
    params.files.length === 0 ? "none" : params.files.map((f) => `\`${f.path}\` (+${f.added} −${f.removed})`).join(", "),
  ]);
  rows.push(["Steps", `${params.figures.steps} of ${params.figures.maxSteps} (${stopReasonText[params.figures.stopReason]})`]);
  rows.push(["Tokens", params.figures.tokens.toLocaleString("en-US")]);
  rows.push(["Time", formatDuration(params.figures.durationMs)]);
  const parts = [
    header(params.requestedBy, params.dryRun),
    "",
    params.outcome,
    "",
    "| | |",
    "|---|---|",
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  ];
  if (params.notes?.length) parts.push("", ...params.notes.map((n) => `> ${n}`));
  if (params.summary) parts.push("", "**Summary**", "", params.summary);
  if (!params.test.passed && params.test.tail)
    parts.push("", "<details><summary>Test output (end)</summary>", "", fence(params.test.tail), "", "</details>");
  if (params.diff !== undefined)
    parts.push("", "<details open><summary>Diff that would have been pushed</summary>", "", fence(params.diff, "diff"), "", "</details>");
  return parts.join("\n");
}

export function renderFailure(params: {
  requestedBy: string;
  dryRun: boolean;
  phase: Phase;
  message: string;
  hint?: string;
  pushedBranch?: string | null;
}): string {
  const lines = [header(params.requestedBy, params.dryRun), "", `❌ Failed while ${phaseText[params.phase]}: ${params.message}`];
  if (params.hint) lines.push("", `What to do: ${params.hint}`);
  lines.push(
    "",
    params.pushedBranch
      ? `The change was pushed to \`${params.pushedBranch}\` before this failure. Comment \`/coder fix\` again to retry.`
      : "Nothing was pushed. Comment `/coder fix` again to retry.",
  );
  return lines.join("\n");
}

export function renderCancelled(params: { requestedBy: string; dryRun: boolean; by: string; phase: Phase }): string {
  return [
    header(params.requestedBy, params.dryRun),
    "",
    `🛑 Cancelled by @${params.by} while ${phaseText[params.phase]}. Nothing was pushed.`,
  ].join("\n");
}

function renderTest(test: TestOutcome): string {
  if (test.command === null) return "no test command found (set `test.command` in `.github/coder.yml`)";
  if (test.timedOut) return `⏱️ \`${test.command}\` timed out`;
  return test.passed ? `✅ \`${test.command}\` passed` : `❌ \`${test.command}\` failed (exit ${test.exitCode ?? "?"})`;
}

function fence(text: string, lang = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = "`".repeat(longest + 1);
  return `${f}${lang}\n${text.trimEnd()}\n${f}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
