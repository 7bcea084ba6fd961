import type { Committed } from "./fix-checkpoint.js";
import type { FixRequest } from "./fix-request.js";

/** Texts the bot writes into git and the forge for a fix. The forge writer redacts them on the way out. */
function oneLine(text: string, max: number): string {
  return text.replace(/\s+/g, " ").trim().slice(0, max);
}

/** The commit message: names the issue (when there is one), carries the agent's summary. */
export function commitMessage(request: FixRequest, summary: string | null): string {
  const { issue } = request;
  const body = summary ? `\n\n${summary}` : "";
  if (issue.number === null) return `${oneLine(issue.title, 72) || "coder-bot change"}${body}\n`;
  const title = oneLine(issue.title, 60);
  const subject = issue.isPullRequest ? `Address /coder fix on #${issue.number}: ${title}` : `Fix #${issue.number}: ${title}`;
  return `${subject}${body}\n\n${issue.isPullRequest ? "Refs" : "Fixes"} #${issue.number}\n`;
}

export function pullRequestTitle(request: FixRequest): string {
  const { issue } = request;
  const title = oneLine(issue.title, 200);
  if (issue.number === null) return title;
  return issue.isPullRequest ? `Follow-up to #${issue.number}: ${title}` : `Fix #${issue.number}: ${title}`;
}

export function pullRequestBody(request: FixRequest, committed: Committed, model: string): string {
  const { issue, requestedBy } = request;
  const { test } = committed;
  return [
    issue.isPullRequest ? `Follow-up to #${issue.number}, requested by @${requestedBy} with \`/coder fix\`.` : `Fixes #${issue.number}`,
    "",
    "## Summary",
    "",
    committed.summary ?? "(the agent gave no summary)",
    "",
    "## Tests",
    "",
    test.command === null
      ? "No test command was found."
      : `\`${test.command}\`: ${test.passed ? "passed ✅" : `failed ❌ (exit ${test.exitCode ?? "?"})`}`,
    "",
    "## Files",
    "",
    ...committed.files.map((f) => `- \`${f.path}\` (+${f.added} −${f.removed})`),
    "",
    `<sub>Made by coder-bot (${model}) in ${committed.figures.steps} steps, requested by @${requestedBy}.</sub>`,
  ].join("\n");
}
