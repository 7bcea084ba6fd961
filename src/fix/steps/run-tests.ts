import type { FixContext } from "../fix-context.js";
import type { TestOutcome } from "../fix-checkpoint.js";
import type { Prepared } from "./prepare.js";

/** How much of the test output the report keeps: its end, where runners print failures and totals. */
const TAIL_LINES = 40;

/** The repository's test command in the job's workspace, after the agent's change. */
export async function runTests(ctx: FixContext, ws: Prepared, command: string | null): Promise<TestOutcome> {
  ctx.state.phase = "test";
  await ctx.reporter.progress("test", null, true);
  let test: TestOutcome = { command: null, passed: null, exitCode: null, timedOut: false, tail: "" };
  if (command !== null) {
    const result = await ws.runner.run(
      { shell: command },
      { timeoutMs: ctx.config.test.timeoutMinutes * 60_000, signal: ctx.signal, maxOutputBytes: 16 * 1024 },
    );
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const output = `${result.stdout}\n${result.stderr}`.trim();
    test = {
      command,
      passed: result.exitCode === 0 && !result.timedOut,
      exitCode: result.exitCode,
      timedOut: result.timedOut,
      tail: output.split("\n").slice(-TAIL_LINES).join("\n"),
    };
  }
  ctx.reporter.tested(test);
  return test;
}
