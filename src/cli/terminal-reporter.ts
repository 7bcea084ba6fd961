import { stopReasonText } from "../agent/stop-conditions.js";
import type { TestOutcome } from "../fix/fix-checkpoint.js";
import type { AgentReport, FixOutcome } from "../fix/fix-outcome.js";
import type { FixFailure, FixReporter } from "../fix/fix-reporter.js";
import { phaseText, type Phase } from "../fix/phase.js";

/** A fix's report on a terminal: a line per step of the agent, then the outcome. */
export class TerminalReporter implements FixReporter {
  readonly #out: (text: string) => void;
  readonly #opening: string;

  constructor(out: (text: string) => void, opening: string) {
    this.#out = out;
    this.#opening = opening;
  }

  started(): Promise<void> {
    this.#out(this.#opening);
    return Promise.resolve();
  }

  progress(_phase: Phase, detail: string | null): Promise<void> {
    if (detail) this.#out(`  ${detail}`);
    return Promise.resolve();
  }

  agentStopped(report: AgentReport): void {
    const { figures, error, stuck } = report;
    this.#out(
      `Stopped: ${stopReasonText[figures.stopReason]} after ${figures.steps} steps.${error ? ` ${error.message}. ${error.hint}` : ""}${stuck ? ` ${stuck}.` : ""}`,
    );
    this.#out(`Run ${report.runId} is recorded: coder-bot trajectory ${report.runId}`);
  }

  tested(test: TestOutcome): void {
    if (test.command === null) return;
    this.#out(`Tests (${test.command}): ${test.timedOut ? "timed out" : test.passed ? "passed" : `failed (exit ${test.exitCode ?? "?"})`}`);
  }

  finished(outcome: FixOutcome): Promise<void> {
    const summary = outcome.kind === "published" ? outcome.committed.summary : outcome.summary;
    if (summary) this.#out(`\nSummary: ${summary}`);
    switch (outcome.kind) {
      case "no-change":
        this.#out("No file was changed.");
        break;
      case "dry-run":
        if (outcome.diff !== null) this.#out(`\n${outcome.diff}`);
        break;
      case "published":
        for (const note of outcome.notes) this.#out(note);
        this.#out(`\nCommitted ${outcome.committed.sha.slice(0, 7)} to the local branch ${outcome.branch}.`);
        break;
    }
    return Promise.resolve();
  }

  failed(failure: FixFailure): Promise<void> {
    this.#out(`Failed while ${phaseText[failure.phase]}: ${failure.message}${failure.hint ? `\nWhat to do: ${failure.hint}` : ""}`);
    return Promise.resolve();
  }

  cancelled(_by: string, phase: Phase): Promise<void> {
    this.#out(`Stopped while ${phaseText[phase]}; nothing was committed.`);
    return Promise.resolve();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
}
