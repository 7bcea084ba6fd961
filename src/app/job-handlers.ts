import { AskJobHandler } from "../ask/ask-job.js";
import type { Env } from "../config/env.js";
import { FixJobHandler } from "../fix/fix-job.js";
import type { Forges } from "../forge/forges.js";
import type { JobHandlers } from "../jobs/dispatch.js";
import type { Logger } from "../jobs/logger.js";
import { NoticeJobHandler } from "../notice/notice-job.js";
import { IndexJobHandler } from "../reindex/index-job.js";
import { ReviewJobHandler } from "../review/review-job.js";
import type { Services } from "./services.js";

/** A handler for every kind of job, wired to the services and the forges. */
export function jobHandlers(env: Env, services: Services, forges: Forges, log: Logger): JobHandlers {
  const { mirrors, worktrees, runners, provider, runs } = services;
  const codeIndex = services.codeIndex?.index ?? null;
  const toolMode = env.CODER_TOOL_MODE;
  return {
    fix: new FixJobHandler({
      forges,
      mirrors,
      worktrees,
      runners,
      provider,
      toolMode,
      codeIndex,
      runs,
      dryRun: env.CODER_DRY_RUN,
      author: { name: env.CODER_GIT_NAME, email: env.CODER_GIT_EMAIL },
      log,
      steps: services.fixSteps,
    }),
    notice: new NoticeJobHandler(forges, services.queue, log),
    ask: new AskJobHandler({ forges, mirrors, worktrees, provider, toolMode, runs, codeIndex, log }),
    review: new ReviewJobHandler({ forges, provider, history: services.reviews, codeIndex, tests: { mirrors, worktrees, runners }, log }),
    index: new IndexJobHandler({ forges, mirrors, worktrees, codeIndex, log }),
  };
}
