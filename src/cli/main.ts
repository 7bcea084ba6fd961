#!/usr/bin/env node
import { existsSync } from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { GiteaSetupError } from "../app/gitea-setup.js";
import { serve } from "../app/serve.js";
import { runnerFactoryFor } from "../app/services.js";
import { EnvError, loadEnv, type Env } from "../config/env.js";
import { RepoConfigError } from "../config/repo-config.js";
import { openDatabase } from "../store/database.js";
import { RunStore } from "../store/run-store.js";
import { Worktrees } from "../workspace/worktrees.js";
import { formatChecks, runDoctor } from "./doctor.js";
import { answerQuestion } from "../ask/answer-question.js";
import { reviewLocal } from "../review/review-local.js";
import { HostRunner } from "../workspace/host-runner.js";
import { indexCommand, searchCommand } from "./index-commands.js";
import { withLocalModel } from "./local-model.js";
import { consoleLogger } from "./console-logger.js";
import { localFix } from "./local-fix.js";

function environment(overrides: NodeJS.ProcessEnv = {}): Env {
  if (existsSync(".env")) process.loadEnvFile(".env");
  return loadEnv({ ...process.env, ...overrides });
}

const program = new Command("coder-bot").description("A self-hosted coding partner for your forge.").showHelpAfterError();

program
  .command("serve")
  .description("Run the GitHub App: webhook server and workers (without credentials: the App registration flow).")
  .action(async () => {
    const bot = await serve(environment());
    if (!bot) return;
    const shutdown = () => {
      void bot.stop().then(() => process.exit(0));
    };
    process.once("SIGTERM", shutdown);
    process.once("SIGINT", shutdown);
  });

program
  .command("fix")
  .description("Run the agent on a local repository: print the diff (--dry-run) or commit it to a new local coder/… branch.")
  .requiredOption("--repo <path>", "the repository", ".")
  .option("--dry-run", "print the diff instead of committing", false)
  .addOption(new Option("--runner <kind>", "where commands run").choices(["docker", "host"]))
  .argument("<task>", "what to do")
  .action(async (task: string, options: { repo: string; dryRun: boolean; runner?: "docker" | "host" }) => {
    const env = environment(options.runner ? { CODER_RUNNER: options.runner } : {});
    await withLocalModel(env, options.repo, async ({ repo, db, code, provider }) => {
      const interrupted = new AbortController();
      const stop = () => interrupted.abort();
      process.once("SIGINT", stop);
      try {
        const result = await localFix({
          repo,
          task,
          dryRun: options.dryRun || env.CODER_DRY_RUN,
          deps: {
            worktrees: new Worktrees(path.join(env.CODER_DATA_DIR, "worktrees")),
            runners: runnerFactoryFor(env),
            provider,
            toolMode: env.CODER_TOOL_MODE,
            codeIndex: code?.index ?? null,
            runs: new RunStore(db),
            author: { name: env.CODER_GIT_NAME, email: env.CODER_GIT_EMAIL },
            log: consoleLogger(),
          },
          out: (text) => console.log(text),
          signal: interrupted.signal,
        });
        if (result.status !== "succeeded") process.exitCode = 1;
      } finally {
        process.off("SIGINT", stop);
      }
    });
  });

program
  .command("trajectory")
  .description("Print a recorded agent run as JSON Lines: the run, then every step (messages, tool calls, results, timings, tokens).")
  .argument("<run-id>", "the run's number, as printed by `fix` and shown in the progress comment")
  .action((runId: string) => {
    const env = environment();
    const db = openDatabase(env.CODER_DATA_DIR);
    try {
      const text = new RunStore(db).exportJsonl(Number(runId));
      if (text === null) {
        console.error(`No run ${runId} in ${env.CODER_DATA_DIR}.`);
        process.exitCode = 1;
      } else {
        process.stdout.write(text);
      }
    } finally {
      db.close();
    }
  });

program
  .command("ask")
  .description("Answer a question about a local checkout from its code, citing path:line (read-only).")
  .option("--repo <path>", "the repository", ".")
  .argument("<question>", "what to ask")
  .action(async (question: string, options: { repo: string }) => {
    await withLocalModel(environment(), options.repo, async ({ env, repo, db, code, provider }) => {
      const searchable = code && code.index.ready(repo.repoKey, repo.tag) ? code.index : null;
      const answer = await answerQuestion({
        provider,
        toolMode: env.CODER_TOOL_MODE,
        root: repo.root,
        runner: new HostRunner(repo.root),
        repoFullName: repo.root,
        question,
        ...(searchable ? { codeSearch: searchable.searcher(repo.repoKey, repo.tag) } : {}),
        signal: new AbortController().signal,
        runs: { store: new RunStore(db), jobId: null, repoKey: repo.repoKey },
      });
      console.log(answer.text);
    });
  });

program
  .command("review")
  .description("Review a local change (the commits of --head since it left --base, as a pull request shows them) and print the review.")
  .option("--repo <path>", "the repository", ".")
  .requiredOption("--base <ref>", "the branch or commit the change goes into, e.g. main")
  .option("--head <ref>", "the branch or commit to review", "HEAD")
  .action(async (options: { repo: string; base: string; head: string }) => {
    await withLocalModel(environment(), options.repo, async ({ repo, code, provider }) => {
      const text = await reviewLocal({
        root: repo.root,
        base: options.base,
        head: options.head,
        config: repo.config,
        provider,
        index: code ? { codeIndex: code.index, repoKey: repo.repoKey, tag: repo.tag } : null,
        signal: new AbortController().signal,
      });
      console.log(text);
    });
  });

program
  .command("index")
  .description("Index a local checkout's current branch for search (only changed files are processed; an interrupted run resumes).")
  .option("--repo <path>", "the repository", ".")
  .action(async (options: { repo: string }) => {
    await indexCommand(environment(), options.repo, process.stderr);
  });

program
  .command("search")
  .description("Search the index of a local checkout: the best functions and classes for a query, as path:start-end with scores.")
  .argument("<query>", "what to find, in words or identifiers")
  .option("--repo <path>", "the repository", ".")
  .option("--k <n>", "how many results", (v) => Number.parseInt(v, 10), 10)
  .option("--json", "print one JSON list (path, startLine, endLine, score, kind, symbols)", false)
  .action(async (query: string, options: { repo: string; k: number; json: boolean }) => {
    if (!Number.isInteger(options.k) || options.k < 1) throw new Error("--k must be a whole number of at least 1");
    await searchCommand(environment(), query, options, process.stdout);
  });

program
  .command("doctor")
  .description("Check Ollama, the model, Docker, the data directory and the App credentials.")
  .action(async () => {
    const checks = await runDoctor(environment());
    console.log(formatChecks(checks));
    if (checks.some((c) => !c.ok)) process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof EnvError || error instanceof RepoConfigError || error instanceof GiteaSetupError) {
    console.error(error.message);
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exit(1);
});
