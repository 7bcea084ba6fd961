export type StopReason =
  "finished" | "no-tool-call" | "step-budget" | "time-budget" | "token-budget" | "cancelled" | "stuck" | "model-error";

export interface LoopState {
  readonly step: number;
  readonly elapsedMs: number;
  readonly tokens: number;
}

export interface Budgets {
  readonly steps: number;
  readonly wallMs: number;
  readonly tokens: number;
}

/** A stop condition answers with a reason to stop before the next step, or null. */
export type StopCondition = (state: LoopState) => StopReason | null;

export const stepCountIs =
  (max: number): StopCondition =>
  (s) =>
    s.step >= max ? "step-budget" : null;
export const wallClockIs =
  (maxMs: number): StopCondition =>
  (s) =>
    s.elapsedMs >= maxMs ? "time-budget" : null;
export const tokensAre =
  (max: number): StopCondition =>
  (s) =>
    s.tokens >= max ? "token-budget" : null;

export function budgetConditions(budgets: Budgets): StopCondition[] {
  return [stepCountIs(budgets.steps), wallClockIs(budgets.wallMs), tokensAre(budgets.tokens)];
}

export const stopReasonText: Record<StopReason, string> = {
  finished: "the agent finished",
  "no-tool-call": "the model stopped calling tools without finishing",
  "step-budget": "the step budget ran out",
  "time-budget": "the time budget ran out",
  "token-budget": "the token budget ran out",
  cancelled: "the job was cancelled",
  stuck: "the agent was stuck",
  "model-error": "the model could not be used",
};
