import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FakeGitea } from "./fake-gitea.js";
import type { GitServer } from "./git-server.js";
import type { RawJson } from "./raw-json.js";

export interface WidgetsRepo {
  owner: string;
  repo: string;
  gitDir: string;
  cloneUrl: string;
  mainSha: string;
  /** Head of `fix/add`, a branch name with a slash on purpose. */
  featureSha: string;
}

const ADD_JS = [
  "/** Adds two numbers. */",
  "export function add(a, b) {",
  "  return a - b;",
  "}",
  "",
  "export function sub(a, b) {",
  "  return a - b;",
  "}",
  "",
];
const NOTES = ["Notes", "one", "two", "three", "four", "five", ""].join("\n");

function gitIn(dir: string, ...args: string[]): string {
  // Nothing from the developer's git setup may shape the repository: identity, signing, hooks.
  const identity = [
    "-c",
    "user.name=Test",
    "-c",
    "user.email=test@example.com",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "core.hooksPath=/dev/null",
  ];
  return execFileSync("git", [...identity, "-C", dir, ...args], {
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" },
  }).trim();
}

/**
 * `acme/widgets` on the git server: `main` with src/add.js (a bug on line 3), docs/old.md and
 * notes.txt; `fix/add` fixes line 3, deletes docs/old.md, adds src/new.js and renames notes.txt
 * to NOTES.md, so a pull request between them has every kind of change.
 */
export function createWidgetsRepo(server: GitServer): WidgetsRepo {
  const work = mkdtempSync(path.join(tmpdir(), "gitea-widgets-"));
  try {
    gitIn(work, "init", "-q", "-b", "main");
    mkdirSync(path.join(work, "src"));
    mkdirSync(path.join(work, "docs"));
    writeFileSync(path.join(work, "README.md"), "# Widgets\n");
    writeFileSync(path.join(work, "src", "add.js"), ADD_JS.join("\n"));
    writeFileSync(path.join(work, "docs", "old.md"), "old\n");
    writeFileSync(path.join(work, "notes.txt"), NOTES);
    gitIn(work, "add", ".");
    gitIn(work, "commit", "-q", "-m", "Initial commit");
    gitIn(work, "checkout", "-q", "-b", "fix/add");
    writeFileSync(path.join(work, "src", "add.js"), ADD_JS.map((line, index) => (index === 2 ? "  return a + b;" : line)).join("\n"));
    writeFileSync(path.join(work, "src", "new.js"), "export const answer = 42;\n");
    gitIn(work, "rm", "-q", "docs/old.md");
    gitIn(work, "mv", "notes.txt", "NOTES.md");
    gitIn(work, "add", ".");
    gitIn(work, "commit", "-q", "-m", "Make add() add");
    const gitDir = server.createBareRepo("acme/widgets");
    gitIn(work, "push", "-q", gitDir, "main", "fix/add");
    return {
      owner: "acme",
      repo: "widgets",
      gitDir,
      cloneUrl: server.cloneUrl("acme/widgets"),
      mainSha: gitIn(work, "rev-parse", "main"),
      featureSha: gitIn(work, "rev-parse", "fix/add"),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface GiteaAnswer {
  status: number;
  headers: Headers;
  json: RawJson;
  text: string;
}

/** Calls the fake with plain fetch, as the bot's HTTP client would: `Authorization: token <t>` unless told otherwise. */
export function giteaCaller(fake: () => FakeGitea) {
  return async (method: string, apiPath: string, options: { body?: unknown; token?: string; headers?: Record<string, string> } = {}) => {
    const response = await fetch(`${fake().apiBase}${apiPath}`, {
      method,
      headers: {
        accept: "application/json",
        authorization: `token ${options.token ?? fake().token}`,
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    const isJson = response.headers.get("content-type")?.startsWith("application/json") === true;
    return {
      status: response.status,
      headers: response.headers,
      json: (isJson ? JSON.parse(text) : undefined) as RawJson,
      text,
    } satisfies GiteaAnswer;
  };
}
