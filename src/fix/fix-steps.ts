import type { FixContext } from "./fix-context.js";
import type { Committed, TestOutcome } from "./fix-checkpoint.js";
import type { FixOutcome } from "./fix-outcome.js";
import { commit } from "./steps/commit.js";
import { prepare, type Prepared } from "./steps/prepare.js";
import { publish, type Published } from "./steps/publish.js";
import { report } from "./steps/report.js";
import { runTests } from "./steps/run-tests.js";
import { work, type Worked } from "./steps/work.js";

/**
 * The steps of a fix, in order. The webhook job and `coder-bot fix` run these same functions;
 * they differ only in the context they pass (forge, source, reporter, checkpoint).
 */
export interface FixSteps {
  prepare(ctx: FixContext): Promise<Prepared>;
  work(ctx: FixContext, ws: Prepared): Promise<Worked>;
  test(ctx: FixContext, ws: Prepared, command: string | null): Promise<TestOutcome>;
  commit(ctx: FixContext, ws: Prepared, worked: Worked, test: TestOutcome): Promise<Committed>;
  publish(ctx: FixContext, committed: Committed): Promise<Published>;
  report(ctx: FixContext, outcome: FixOutcome): Promise<void>;
}

export const fixSteps: FixSteps = { prepare, work, test: runTests, commit, publish, report };
