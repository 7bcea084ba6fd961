import { runAgent } from "../agent/agent-loop.js";
import type { ToolModeSetting } from "../agent/tool-channel.js";
import type { LlmProvider } from "../llm/types.js";
import { PathGuard } from "../safety/path-guard.js";
import type { RunStore } from "../store/run-store.js";
import { readOnlyTools, readOnlyToolsWithSearch } from "../tools/read-only-tools.js";
import type { ToolContext } from "../tools/tool.js";
import type { CommandRunner } from "../workspace/runner.js";
import { askSystemPrompt, askTaskPrompt } from "./ask-prompt.js";
import { checkCitations, type CitationLink } from "./check-citations.js";

export interface Answer {
  readonly text: string;
  readonly stopReason: string;
  readonly citations: { readonly valid: number; readonly invalid: number };
  readonly runId: number | null;
}

/**
 * Answers a question about a checkout with the read-only tools (and `search_code` when there is an
 * index), citing `path:line`; citations that do not exist in the checkout are marked.
 */
export async function answerQuestion(params: {
  readonly provider: LlmProvider;
  readonly toolMode?: ToolModeSetting;
  readonly root: string;
  readonly runner: CommandRunner;
  readonly repoFullName: string;
  readonly question: string;
  readonly context?: string;
  readonly codeSearch?: ToolContext["codeSearch"];
  /** Turns each real citation into a link (on the forge); plain text without it (the terminal). */
  readonly link?: CitationLink;
  readonly signal: AbortSignal;
  readonly runs?: { readonly store: RunStore; readonly jobId: number | null; readonly repoKey: string };
  readonly budgets?: { readonly steps: number; readonly minutes: number; readonly tokens: number };
}): Promise<Answer> {
  const guard = new PathGuard(params.root);
  const task = askTaskPrompt({ repoFullName: params.repoFullName, question: params.question, context: params.context ?? "" });
  const runId = params.runs
    ? params.runs.store.start({ jobId: params.runs.jobId, repoKey: params.runs.repoKey, task, model: params.provider.label })
    : null;
  const budgets = params.budgets ?? { steps: 20, minutes: 10, tokens: 200_000 };
  const result = await runAgent({
    provider: params.provider,
    ...(params.toolMode ? { toolMode: params.toolMode } : {}),
    tools: params.codeSearch ? readOnlyToolsWithSearch : readOnlyTools,
    system: askSystemPrompt({ searchCode: params.codeSearch !== undefined }),
    task,
    budgets: { steps: budgets.steps, wallMs: budgets.minutes * 60_000, tokens: budgets.tokens },
    toolContext: {
      root: params.root,
      guard,
      runner: params.runner,
      commandTimeoutMs: 60_000,
      ...(params.codeSearch ? { codeSearch: params.codeSearch } : {}),
    },
    signal: params.signal,
    ...(params.runs && runId !== null ? { recorder: { store: params.runs.store, runId } } : {}),
  });
  if (params.runs && runId !== null)
    params.runs.store.finish(runId, {
      stopReason: result.stopReason,
      steps: result.steps,
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
    });
  if (result.stopReason === "model-error")
    throw new Error(`${result.error?.message ?? "the model failed"}${result.error?.hint ? ` (${result.error.hint})` : ""}`);
  const raw = result.summary?.trim() || `I could not find an answer (${result.stopReason}${result.stuck ? `: ${result.stuck}` : ""}).`;
  const checked = await checkCitations(raw, guard, params.link);
  return { text: checked.text, stopReason: result.stopReason, citations: { valid: checked.valid, invalid: checked.invalid }, runId };
}
