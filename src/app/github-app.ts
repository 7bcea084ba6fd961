import type { ApplicationFunction, Probot } from "probot";
import type { Env } from "../config/env.js";
import { FixJobHandler } from "../fix/fix-job.js";
import { fixJobKind, noticeJobKind } from "../fix/fix-payload.js";
import type { Forge } from "../forge/forge.js";
import { GitHubForge } from "../forge/github/github-forge.js";
import { narrowIssueComment, narrowPullRequest, narrowPush } from "../forge/github/narrow.js";
import { AskJobHandler } from "../ask/ask-job.js";
import { askJobKind } from "../ask/ask-payload.js";
import { onPullRequest } from "../review/on-pull-request.js";
import { ReviewJobHandler } from "../review/review-job.js";
import { reviewJobKind } from "../review/review-payload.js";
import { IndexJobHandler } from "../reindex/index-job.js";
import { indexJobKind } from "../reindex/index-payload.js";
import { onPush } from "../reindex/on-push.js";
import { WorkerPool } from "../queue/worker-pool.js";
import { NoticeJobHandler } from "../triggers/notice-job.js";
import { onIssueComment } from "../triggers/on-issue-comment.js";
import type { Services } from "./services.js";

export interface GitHubApp {
  readonly appFn: ApplicationFunction;
  /** Resolves with the worker pool once Probot has loaded the app. */
  readonly pool: Promise<WorkerPool>;
}

/**
 * The Probot application: the webhook side only stores jobs; the worker pool, started here too,
 * does everything that talks to GitHub.
 */
export function createGitHubApp(env: Env, services: Services): GitHubApp {
  let resolvePool!: (pool: WorkerPool) => void;
  const pool = new Promise<WorkerPool>((resolve) => (resolvePool = resolve));

  const appFn: ApplicationFunction = (app: Probot) => {
    const forgeFor = async (installationId: number | null): Promise<Forge> => {
      if (installationId === null) throw new Error("the delivery has no installation; install the App on the repository");
      return new GitHubForge(await app.auth(installationId));
    };
    const secrets = [env.WEBHOOK_SECRET, env.privateKey].filter((s): s is string => Boolean(s));
    const workers = new WorkerPool({
      queue: services.queue,
      concurrency: env.CODER_CONCURRENCY,
      log: app.log,
      handlers: {
        [fixJobKind]: new FixJobHandler({
          forgeFor,
          mirrors: services.mirrors,
          worktrees: services.worktrees,
          runners: services.runners,
          provider: services.provider,
          toolMode: env.CODER_TOOL_MODE,
          ...(services.codeIndex ? { codeIndex: services.codeIndex.index } : {}),
          runs: services.runs,
          dryRun: env.CODER_DRY_RUN,
          author: { name: env.CODER_GIT_NAME, email: env.CODER_GIT_EMAIL },
          secrets,
          log: app.log,
        }),
        [noticeJobKind]: new NoticeJobHandler(forgeFor, services.queue),
        [askJobKind]: new AskJobHandler({ forgeFor, mirrors: services.mirrors, worktrees: services.worktrees, provider: services.provider, toolMode: env.CODER_TOOL_MODE, runs: services.runs, codeIndex: services.codeIndex?.index ?? null, log: app.log }),
        [reviewJobKind]: new ReviewJobHandler({ forgeFor, provider: services.provider, history: services.reviews, codeIndex: services.codeIndex?.index ?? null, tests: { mirrors: services.mirrors, worktrees: services.worktrees, runners: services.runners }, log: app.log }),
        [indexJobKind]: new IndexJobHandler({ forgeFor, mirrors: services.mirrors, worktrees: services.worktrees, codeIndex: services.codeIndex?.index ?? null, log: app.log }),
      },
    });

    app.on("issue_comment.created", async (context) => {
      const event = narrowIssueComment(context.id, context.payload);
      const outcome = await onIssueComment(event, services.queue, { maxAttempts: env.CODER_MAX_ATTEMPTS });
      if (outcome.action !== "ignored") {
        context.log.info({ job: outcome.jobId, kind: outcome.kind, duplicate: outcome.action === "duplicate" }, "command queued");
        // After the response: the acknowledgement must not wait for, or race with, any API call.
        setImmediate(() => workers.wake());
      }
    });
    app.on(["pull_request.opened", "pull_request.reopened", "pull_request.ready_for_review", "pull_request.synchronize"], async (context) => {
      const event = narrowPullRequest(context.id, context.payload);
      if (!event) return;
      const outcome = await onPullRequest(event, services.queue, { maxAttempts: env.CODER_MAX_ATTEMPTS });
      if (outcome.action !== "ignored") {
        context.log.info({ job: outcome.jobId, kind: outcome.kind, duplicate: outcome.action === "duplicate" }, "review queued");
        setImmediate(() => workers.wake());
      }
    });
    app.on("push", async (context) => {
      if (!services.codeIndex) return;
      const outcome = await onPush(narrowPush(context.id, context.payload), services.queue, { maxAttempts: env.CODER_MAX_ATTEMPTS });
      if (outcome.action !== "ignored") {
        context.log.info({ job: outcome.jobId, kind: outcome.kind, duplicate: outcome.action === "duplicate" }, "re-index queued");
        setImmediate(() => workers.wake());
      }
    });
    resolvePool(workers);
  };
  return { appFn, pool };
}
