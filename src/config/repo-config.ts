import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";

export const REPO_CONFIG_PATH = ".github/coder.yml";

/** Where a repository on Gitea or Forgejo may keep it instead; read first there. */
export const GITEA_CONFIG_PATH = ".gitea/coder.yml";

const permissionLevel = z.enum(["admin", "maintain", "write", "triage", "read"]);

/**
 * `.github/coder.yml`, read from the default branch only, so that a pull request cannot change
 * the rules the bot applies to it. Unknown keys are errors: a typo must not silently fall back
 * to a default.
 */
export const repoConfigSchema = z
  .object({
    triggers: z
      .strictObject({
        /** Repository roles whose members may run commands. */
        permissions: z.array(permissionLevel).min(1).default(["admin", "maintain", "write"]),
        /** Logins allowed in addition to the roles above. */
        users: z.array(z.string().min(1)).default([]),
      })
      .prefault({}),
    branches: z
      .strictObject({
        /** Namespace of the branches the bot creates. */
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9._-]+\/$/, "must be a simple name ending in a slash, such as coder/")
          .default("coder/"),
        /** Extra branch names (glob with *) the bot never pushes to, besides the default branch and GitHub's protected ones. */
        protected: z.array(z.string().min(1)).default([]),
      })
      .prefault({}),
    test: z
      .strictObject({
        /** The test command; detected from the repository when absent (npm test, pytest, go test, cargo test, make test). */
        command: z.string().min(1).nullable().default(null),
        timeoutMinutes: z.number().positive().max(120).default(10),
      })
      .prefault({}),
    budgets: z
      .strictObject({
        steps: z.number().int().positive().max(500).default(40),
        minutes: z.number().positive().max(240).default(20),
        tokens: z.number().int().positive().default(400_000),
        commandTimeoutMinutes: z.number().positive().max(60).default(5),
      })
      .prefault({}),
    pullRequests: z
      .strictObject({
        /** Open the pull request as a draft when the tests fail after the change. */
        draftWhenTestsFail: z.boolean().default(true),
      })
      .prefault({}),
    sandbox: z
      .strictObject({
        /** A Docker image on the bot's host to work in instead of the default workspace image. */
        image: z
          .string()
          .regex(/^[a-z0-9][a-z0-9._/:@-]*$/, "must be an image reference such as ghcr.io/acme/builder:1")
          .nullable()
          .default(null),
        /** Installs dependencies before the agent starts; the only command that runs with network. */
        setup: z.string().min(1).nullable().default(null),
        setupTimeoutMinutes: z.number().positive().max(60).default(10),
        memoryMb: z.number().int().min(256).max(16384).default(2048),
        cpus: z.number().positive().max(8).default(1),
        pids: z.number().int().min(32).max(4096).default(256),
        /** Let run_command use a shell (pipes, redirects, &&). */
        allowShell: z.boolean().default(false),
        /** Programs allowed in addition to the defaults. */
        allowedCommands: z.array(z.string().regex(/^[A-Za-z0-9._+-]+$/, "must be a program name without a path")).default([]),
      })
      .prefault({}),
    review: z
      .strictObject({
        /** Review pull requests when they are opened, reopened, marked ready, or pushed to. */
        auto: z.boolean().default(true),
        /** Review drafts too (otherwise a draft is reviewed when it is marked ready). */
        drafts: z.boolean().default(false),
        /** Review pull requests opened by bots (Dependabot, Renovate, …). */
        botAuthors: z.boolean().default(false),
        /** Globs of files to review; empty means all. */
        include: z.array(z.string().min(1)).default([]),
        /** Globs of files never reviewed, besides lock files, generated and vendored files. */
        exclude: z.array(z.string().min(1)).default([]),
        /** Changed lines above which an automatic review is skipped with a note (`/coder review` still works within budget). */
        maxDiffLines: z.number().int().positive().max(100_000).default(3000),
        /** Most inline comments per review; the rest are listed in the summary. */
        maxFindings: z.number().int().min(0).max(100).default(15),
        /** The review's event: always a comment unless approving or requesting changes is allowed here. */
        approve: z.boolean().default(false),
        requestChanges: z.boolean().default(false),
        /** Run the tests in the sandbox on the head commit and report the result in the summary. */
        runTests: z.boolean().default(false),
        /** What reviewers of this repository should look for; CONTRIBUTING.md is read too. */
        instructions: z.string().max(8000).default(""),
      })
      .prefault({}),
    index: z
      .strictObject({
        /** Keep a code index of the default branch (re-indexed on every merge) for search and for the agent's first prompt. */
        enabled: z.boolean().default(true),
        /** Globs of files to index; empty means every file git tracks. */
        include: z.array(z.string().min(1)).default([]),
        /** Globs of files never to index, in addition to vendored, generated, binary and minified files. */
        exclude: z.array(z.string().min(1)).default([]),
      })
      .prefault({}),
    /** Extra instructions for the agent, e.g. coding conventions. */
    instructions: z.string().max(8000).default(""),
  })
  .strict();

export type RepoConfig = z.infer<typeof repoConfigSchema>;

export const defaultRepoConfig: RepoConfig = repoConfigSchema.parse({});

export interface ConfigProblem {
  /** Dotted path of the field, e.g. `budgets.steps`, or `(file)` for a syntax error. */
  readonly field: string;
  readonly message: string;
}

/** `coder.yml` cannot be used: not YAML at all, or settings that do not fit the schema. */
export class RepoConfigError extends Error {
  readonly reason: "invalid-yaml" | "invalid-settings";
  readonly problems: readonly ConfigProblem[];
  /** Where the file was read, `.github/coder.yml` or `.gitea/coder.yml`. */
  readonly path: string;
  constructor(reason: RepoConfigError["reason"], problems: readonly ConfigProblem[], path: string = REPO_CONFIG_PATH) {
    super(`${path} is invalid: ${problems.map((p) => `${p.field}: ${p.message}`).join("; ")}`);
    this.name = "RepoConfigError";
    this.reason = reason;
    this.problems = problems;
    this.path = path;
  }
}

/**
 * Parses the file's text; `null` (no file) gives the defaults. Throws RepoConfigError naming each
 * bad field, and `path`, where the file was read.
 */
export function parseRepoConfig(text: string | null, path: string = REPO_CONFIG_PATH): RepoConfig {
  if (text === null || text.trim() === "") return defaultRepoConfig;
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : "";
    throw new RepoConfigError(
      "invalid-yaml",
      [{ field: "(file)", message: `not valid YAML${where}: ${(error as Error).message.split("\n")[0]}` }],
      path,
    );
  }
  if (raw === null || raw === undefined) return defaultRepoConfig;
  const parsed = repoConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new RepoConfigError(
    "invalid-settings",
    parsed.error.issues.flatMap((issue) => {
      const base = issue.path.map(String).join(".");
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({ field: base ? `${base}.${key}` : key, message: "is not a known setting (check the spelling)" }));
      }
      return [{ field: base || "(file)", message: issue.message }];
    }),
    path,
  );
}

/** The comment the bot posts when the file is invalid. */
export function describeConfigProblems(error: RepoConfigError): string {
  const lines = error.problems.map((p) => `- \`${p.field}\`: ${p.message}`);
  return [
    `⚠️ I did not start: \`${error.path}\` on the default branch is invalid.`,
    "",
    ...lines,
    "",
    "Fix the file on the default branch and comment again. The settings and their defaults are listed in the README under “Repository configuration”.",
  ].join("\n");
}
