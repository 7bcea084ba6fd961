import type { RepoConfig } from "../config/repo-config.js";
import { LlmError } from "../llm/llm-error.js";
import type { FixContext } from "./fix-context.js";
import type { FixOutcome } from "./fix-outcome.js";
import { fixSteps, type FixSteps } from "./fix-steps.js";
import { PhaseError } from "./phase-error.js";
import type { Prepared } from "./steps/prepare.js";

/**
 * How a fix ended for whoever ran it: the queue records it, the command line turns it into an exit
 * code. `outcome` is null when the fix was not admitted (the gate refused it and said why).
 */
export type FixResult =
  { readonly status: "succeeded"; readonly outcome: FixOutcome | null } | { readonly status: "failed" } | { readonly status: "cancelled" };

/** A fix before it is admitted: everything but the repository's configuration. */
export type FixBase = Omit<FixContext, "config">;

/**
 * Admits a fix: the repository's configuration when the fix may start, null when it may not (and
 * whoever asked has been told). On a forge it is the gate; on the command line, the committed
 * `coder.yml`. It sets the phase it is in on `state`, so a failure names it.
 */
export type Admission = (state: FixContext["state"]) => Promise<RepoConfig | null>;

/**
 * A fix from start to end: admit, then prepare, work, test, commit, publish, report. A
 * checkpointed commit skips straight to publishing, so a retry after a crash never works twice nor
 * pushes twice. A failure, the admission's included, is reported with the phase it happened in;
 * cleanup runs whatever happened.
 */
export async function runFix(base: FixBase, admit: Admission, steps: FixSteps = fixSteps): Promise<FixResult> {
  let ws: Prepared | undefined;
  try {
    const config = await admit(base.state);
    if (config === null) return { status: "succeeded", outcome: null };
    const ctx: FixContext = { ...base, config };
    ctx.state.phase = "acknowledge";
    await ctx.reporter.started({ dryRun: ctx.state.dryRun });
    let committed = ctx.checkpoint.current.committed;
    if (!committed) {
      ws = await steps.prepare(ctx);
      const worked = await steps.work(ctx, ws);
      const test = await steps.test(ctx, ws, worked.testCommand);
      const { files, diff } = worked.change;
      if (files.length === 0)
        return await finish(ctx, steps, { kind: "no-change", test, figures: worked.figures, summary: worked.summary });
      if (ctx.state.dryRun) {
        const notes = ctx.state.dryRunReason ? [ctx.state.dryRunReason] : [];
        return await finish(ctx, steps, { kind: "dry-run", test, files, figures: worked.figures, summary: worked.summary, diff, notes });
      }
      committed = await steps.commit(ctx, ws, worked, test);
    }
    if (ctx.state.dryRun) {
      // Resumed with dry run switched on since: the commit stays local.
      const { test, files, figures, summary } = committed;
      return await finish(ctx, steps, { kind: "dry-run", test, files, figures, summary, diff: null, notes: [] });
    }
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const published = await steps.publish(ctx, committed);
    return await finish(ctx, steps, { kind: "published", committed, ...published });
  } catch (error) {
    return await fail(base, error);
  } finally {
    await base.reporter.flush().catch(() => undefined);
    if (ws) {
      await ws.runner.dispose().catch(() => undefined);
      await base.deps.worktrees
        .remove(ws.mirror, ws.dir)
        .catch((e: unknown) => base.deps.log.warn({ err: e }, "could not remove a worktree"));
    }
  }
}

async function finish(ctx: FixContext, steps: FixSteps, outcome: FixOutcome): Promise<FixResult> {
  await steps.report(ctx, outcome);
  return { status: "succeeded", outcome };
}

async function fail(ctx: FixBase, error: unknown): Promise<FixResult> {
  const by = ctx.cancelledBy();
  if (by !== null) {
    await ctx.reporter.cancelled(by, ctx.state.phase);
    return { status: "cancelled" };
  }
  // Shutting down, or a failure worth another attempt: the caller (the queue) decides.
  if (ctx.signal.aborted || ctx.retryable(error)) throw error;
  const phase = error instanceof PhaseError ? error.phase : ctx.state.phase;
  const hint = error instanceof PhaseError ? error.hint : error instanceof LlmError ? error.hint : undefined;
  ctx.deps.log.error({ phase, err: error }, "fix failed");
  await ctx.reporter.flush().catch(() => undefined);
  await ctx.reporter.failed({
    phase,
    message: error instanceof Error ? error.message : String(error),
    hint,
    pushedBranch: ctx.checkpoint.current.pushed?.branch ?? null,
  });
  return { status: "failed" };
}
