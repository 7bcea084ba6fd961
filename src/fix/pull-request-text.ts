import type { Committed } from "./fix-job.js";
import type { FixJobPayload } from "./fix-payload.js";

/** Texts the bot writes into git and the forge for a fix. Callers redact them before use. */
function oneLine(text: string, max: number): string {
  return text.replace(/\s+/g, " ").trim().slice(0, max);
}

/** The commit message: names the issue, carries the agent's summary. */
export function commitMessage(payload: FixJobPayload, summary: string | null): string {
  const { issue } = payload;
  const title = oneLine(issue.title, 60);
  const subject = issue.isPullRequest ? `Address /coder fix on #${issue.number}: ${title}` : `Fix #${issue.number}: ${title}`;
  const body = summary ? `\n\n${summary}` : "";
  return `${subject}${body}\n\n${issue.isPullRequest ? "Refs" : "Fixes"} #${issue.number}\n`;
}

export function pullRequestTitle(payload: FixJobPayload): string {
  const { issue } = payload;
  const title = oneLine(issue.title, 200);
  return issue.isPullRequest ? `Follow-up to #${issue.number}: ${title}` : `Fix #${issue.number}: ${title}`;
}

export function pullRequestBody(payload: FixJobPayload, committed: Committed, model: string): string {
  const { issue, comment } = payload;
  const { test } = committed;
  return [
    issue.isPullRequest ? `Follow-up to #${issue.number}, requested by @${comment.author} with \`/coder fix\`.` : `Fixes #${issue.number}`,
    "",
    "## Summary",
    "",
    committed.summary ?? "(the agent gave no summary)",
    "",
    "## Tests",
    "",
    test.command === null ? "No test command was found." : `\`${test.command}\`: ${test.passed ? "passed ✅" : `failed ❌ (exit ${test.exitCode ?? "?"})`}`,
    "",
    "## Files",
    "",
    ...committed.files.map((f) => `- \`${f.path}\` (+${f.added} −${f.removed})`),
    "",
    `<sub>Made by coder-bot (${model}) in ${committed.figures.steps} steps, requested by @${comment.author}.</sub>`,
  ].join("\n");
}
