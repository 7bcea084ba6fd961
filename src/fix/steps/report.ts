import type { FixContext } from "../fix-context.js";
import type { FixOutcome } from "../fix-outcome.js";

/** Tells the person who asked how it ended: the progress comment's last edit, or the terminal's last lines. */
export async function report(ctx: FixContext, outcome: FixOutcome): Promise<void> {
  ctx.state.phase = "report";
  await ctx.reporter.flush();
  await ctx.reporter.finished(outcome);
}
