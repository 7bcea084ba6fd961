import { runAgent } from "../../agent/agent-loop.js";
import { fixSystemPrompt, fixTaskPrompt } from "../../agent/prompts.js";
import type { RepoConfig } from "../../config/repo-config.js";
import { stageChanges, type StagedChanges } from "../../git/commit-changes.js";
import { PathGuard } from "../../safety/path-guard.js";
import type { CommandPolicyConfig } from "../../safety/command-policy.js";
import { detectTestCommand } from "../../workspace/test-command.js";
import { codeContextFor } from "../code-context.js";
import type { FixContext } from "../fix-context.js";
import type { RunFigures } from "../fix-checkpoint.js";
import { PhaseError } from "../phase-error.js";
import type { Prepared } from "./prepare.js";

/** What the agent did: its summary and figures, the change it left (staged), and the test command it was told about. */
export interface Worked {
  readonly summary: string | null;
  readonly figures: RunFigures;
  readonly change: StagedChanges;
  readonly testCommand: string | null;
}

/**
 * The agent loop on the workspace, with the code index when there is one, recorded step by step.
 * Whatever the agent changed is staged at the end, before the tests can leave files of their own.
 */
export async function work(ctx: FixContext, ws: Prepared): Promise<Worked> {
  const { request, config, deps } = ctx;
  // Read before the agent can change the build files.
  const testCommand = config.test.command ?? (await detectTestCommand(ws.dir));
  ctx.state.phase = "work";
  await ctx.reporter.progress("work", null, true);
  const code = await codeContextFor(deps.codeIndex ?? undefined, config, {
    repoKey: request.repoKey,
    tag: request.indexTag,
    query: `${request.issue.title}\n${request.issue.body}\n${request.instructions}`,
    signal: ctx.signal,
    onError: (error) => deps.log.warn({ err: error }, "the code index could not be used; working without it"),
  });
  const prompt = fixTaskPrompt({
    repoFullName: request.repoName,
    issueNumber: request.issue.number,
    title: request.issue.title,
    body: request.issue.body,
    instructions: request.instructions,
    isPullRequest: request.issue.isPullRequest,
  });
  const task = [prompt, code.preamble].filter(Boolean).join("\n\n");
  const runId = deps.runs.start({ jobId: request.jobId, repoKey: request.repoKey, task, model: deps.provider.label });
  const agent = await runAgent({
    provider: deps.provider,
    ...(deps.toolMode ? { toolMode: deps.toolMode } : {}),
    tools: code.tools,
    system: fixSystemPrompt({ testCommand, repoInstructions: config.instructions, searchCode: code.codeSearch !== undefined }),
    task,
    budgets: { steps: config.budgets.steps, wallMs: config.budgets.minutes * 60_000, tokens: config.budgets.tokens },
    toolContext: {
      root: ws.dir,
      guard: new PathGuard(ws.dir),
      runner: ws.runner,
      commandTimeoutMs: config.budgets.commandTimeoutMinutes * 60_000,
      policy: commandPolicyFor(config),
      ...(code.codeSearch ? { codeSearch: code.codeSearch } : {}),
    },
    signal: ctx.signal,
    recorder: { store: deps.runs, runId },
    onStep: ({ step, lastTool }) =>
      void ctx.reporter.progress("work", `step ${step} of ${config.budgets.steps}${lastTool ? ` (last: ${lastTool})` : ""}`, false),
  });
  deps.runs.finish(runId, {
    stopReason: agent.stopReason,
    steps: agent.steps,
    promptTokens: agent.promptTokens,
    completionTokens: agent.completionTokens,
  });
  const figures: RunFigures = {
    steps: agent.steps,
    maxSteps: config.budgets.steps,
    tokens: agent.promptTokens + agent.completionTokens,
    durationMs: agent.durationMs,
    stopReason: agent.stopReason,
  };
  ctx.reporter.agentStopped({ figures, runId, error: agent.error ?? null, stuck: agent.stuck ?? null });
  if (agent.stopReason === "cancelled") throw ctx.signal.reason;
  if (agent.stopReason === "model-error")
    throw new PhaseError({ reason: "model", phase: "work", message: agent.error?.message ?? "the model failed", hint: agent.error?.hint });
  const summary = agent.summary ?? (agent.stuck ? `I stopped because I was stuck: ${agent.stuck}.` : null);
  return { summary, figures, change: await stageChanges(ws, ws.baseSha), testCommand };
}

/** The commands a repository's coder.yml lets the agent run beyond the defaults. */
function commandPolicyFor(config: RepoConfig): CommandPolicyConfig {
  return { allowShell: config.sandbox.allowShell, extraPrograms: config.sandbox.allowedCommands };
}
