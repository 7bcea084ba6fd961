import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EnvError, loadEnv } from "../../src/config/env.js";
import {
  defaultRepoConfig,
  describeConfigProblems,
  parseRepoConfig,
  REPO_CONFIG_PATH,
  RepoConfigError,
  type ConfigProblem,
} from "../../src/config/repo-config.js";

const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAtest\nline2\n-----END RSA PRIVATE KEY-----\n";

function envProblems(source: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return (error as EnvError).problems;
  }
  throw new Error("expected loadEnv to throw");
}

function configProblems(text: string): readonly ConfigProblem[] {
  try {
    parseRepoConfig(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RepoConfigError);
    return (error as RepoConfigError).problems;
  }
  throw new Error("expected parseRepoConfig to throw");
}

describe("loadEnv", () => {
  let dir: string;
  let keyFile: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "env-test-"));
    keyFile = path.join(dir, "app.pem");
    writeFileSync(keyFile, PEM);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives the defaults for an empty environment, without credentials", () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      WEBHOOK_PATH: "/api/github/webhooks",
      PORT: 3000,
      OLLAMA_HOST: "http://127.0.0.1:11434",
      CODER_MODEL: "qwen2.5-coder:7b",
      CODER_PROVIDER: "ollama",
      CODER_MAX_CONTEXT_SIZE: 32768,
      CODER_TOOL_MODE: "auto",
      CODER_OPENAI_JSON_SCHEMA: true,
      CODER_DRY_RUN: false,
      CODER_CONCURRENCY: 2,
      CODER_RUNNER: "docker",
      privateKey: undefined,
      hasCredentials: false,
    });
    expect(env).not.toHaveProperty("PRIVATE_KEY");
    expect(env).not.toHaveProperty("PRIVATE_KEY_PATH");
    // Unset, the context size comes from the model's metadata, capped by CODER_MAX_CONTEXT_SIZE.
    expect(env.CODER_CONTEXT_SIZE).toBeUndefined();
  });

  it("asks for a model file when the embedded backend is chosen", () => {
    expect(envProblems({ CODER_PROVIDER: "llama-cpp" })).toEqual([
      "CODER_LLAMA_MODEL: CODER_PROVIDER is llama-cpp but no model: set CODER_LLAMA_MODEL to a .gguf file (or an hf: model URI on a machine with internet)",
    ]);
    expect(loadEnv({ CODER_PROVIDER: "llama-cpp", CODER_LLAMA_MODEL: "/models/qwen.gguf" }).CODER_LLAMA_MODEL).toBe("/models/qwen.gguf");
    expect(envProblems({ CODER_PROVIDER: "vllm" })[0]).toMatch(/^CODER_PROVIDER: .*ollama.*openai.*llama-cpp/);
  });

  it("reports every problem at once, each naming its variable", () => {
    const problems = envProblems({
      APP_ID: "my-app",
      OLLAMA_HOST: "not a url",
      CODER_RUNNER: "podman",
      PORT: "70000",
      CODER_CONTEXT_SIZE: "-5",
    });
    expect(problems).toHaveLength(5);
    expect(problems).toContain("APP_ID: must be the numeric App ID from the GitHub App's settings page");
    expect(problems).toContain("OLLAMA_HOST: must be a URL such as http://127.0.0.1:11434");
    expect(problems.find((p) => p.startsWith("CODER_RUNNER: "))).toMatch(/docker.*host/);
    expect(problems.some((p) => p.startsWith("PORT: "))).toBe(true);
    expect(problems).toContain("CODER_CONTEXT_SIZE: must be at least 2048 tokens: an agent needs room for its tools and a few steps");
  });

  it("puts every problem in the error message", () => {
    // LOG_LEVEL is typed in NodeJS.ProcessEnv; a wrong value is exactly what this test needs.
    const source = { GHE_HOST: "https://github.example.com", LOG_LEVEL: "loud" } as Record<string, string> as NodeJS.ProcessEnv;
    expect(() => loadEnv(source)).toThrow(/The environment has 2 problem\(s\):\n {2}- GHE_HOST: must be a host name.*\n {2}- LOG_LEVEL: /);
  });

  it("reads the key from PRIVATE_KEY_PATH", () => {
    const env = loadEnv({ APP_ID: "12345", PRIVATE_KEY_PATH: keyFile, WEBHOOK_SECRET: "s3cret" });
    expect(env.privateKey).toBe(PEM);
    expect(env.APP_ID).toBe("12345");
    expect(env.hasCredentials).toBe(true);
  });

  it("says which file it cannot read", () => {
    const missing = path.join(dir, "missing.pem");
    const problems = envProblems({ PRIVATE_KEY_PATH: missing });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`PRIVATE_KEY_PATH: cannot read ${missing}`);
  });

  it("refuses both PRIVATE_KEY and PRIVATE_KEY_PATH", () => {
    expect(envProblems({ APP_ID: "1", PRIVATE_KEY: PEM, PRIVATE_KEY_PATH: keyFile, WEBHOOK_SECRET: "s" })).toEqual([
      "PRIVATE_KEY_PATH: set PRIVATE_KEY or PRIVATE_KEY_PATH, not both",
    ]);
  });

  it("turns \\n escapes in PRIVATE_KEY into newlines", () => {
    const escaped = PEM.trimEnd().replace(/\n/g, "\\n");
    expect(escaped).not.toContain("\n");
    const env = loadEnv({ APP_ID: "1", PRIVATE_KEY: escaped, WEBHOOK_SECRET: "s" });
    expect(env.privateKey).toBe(PEM.trimEnd());
    expect(env.hasCredentials).toBe(true);
  });

  it("refuses a PRIVATE_KEY that is not PEM", () => {
    expect(envProblems({ PRIVATE_KEY: "just-a-string" })[0]).toMatch(/^PRIVATE_KEY: is not a PEM private key/);
  });

  it("asks for the key and the webhook secret once APP_ID is set", () => {
    const problems = envProblems({ APP_ID: "1" });
    expect(problems.some((p) => p.startsWith("PRIVATE_KEY: APP_ID is set but no private key"))).toBe(true);
    expect(problems.some((p) => p.startsWith("WEBHOOK_SECRET: APP_ID is set but no WEBHOOK_SECRET"))).toBe(true);
  });

  it("has credentials only with APP_ID, key and webhook secret together", () => {
    expect(loadEnv({ PRIVATE_KEY: PEM, WEBHOOK_SECRET: "s" }).hasCredentials).toBe(false);
    expect(loadEnv({ WEBHOOK_SECRET: "s" }).hasCredentials).toBe(false);
    expect(loadEnv({ APP_ID: "7", PRIVATE_KEY: PEM, WEBHOOK_SECRET: "s" }).hasCredentials).toBe(true);
  });

  it("treats empty variables as unset and parses flags and numbers", () => {
    const env = loadEnv({ APP_ID: "", PORT: "", CODER_DRY_RUN: "yes", CODER_CONCURRENCY: "0", CODER_RUNNER: "host" });
    expect(env.APP_ID).toBeUndefined();
    expect(env).toMatchObject({ PORT: 3000, CODER_DRY_RUN: true, CODER_CONCURRENCY: 0, CODER_RUNNER: "host" });
    expect(loadEnv({ CODER_DRY_RUN: "0" }).CODER_DRY_RUN).toBe(false);
    expect(envProblems({ CODER_DRY_RUN: "maybe" })[0]).toMatch(/^CODER_DRY_RUN: /);
  });
});

describe("parseRepoConfig", () => {
  it.each([
    ["no file", null],
    ["an empty file", ""],
    ["only whitespace", "  \n\n"],
    ["only comments", "# nothing configured yet\n"],
    ["an explicit null document", "~\n"],
  ])("gives the defaults for %s", (_label, text) => {
    expect(parseRepoConfig(text)).toEqual(defaultRepoConfig);
  });

  it("has the documented defaults", () => {
    expect(defaultRepoConfig).toEqual({
      triggers: { permissions: ["admin", "maintain", "write"], users: [] },
      branches: { prefix: "coder/", protected: [] },
      test: { command: null, timeoutMinutes: 10 },
      budgets: { steps: 40, minutes: 20, tokens: 400_000, commandTimeoutMinutes: 5 },
      pullRequests: { draftWhenTestsFail: true },
      sandbox: {
        image: null,
        setup: null,
        setupTimeoutMinutes: 10,
        memoryMb: 2048,
        cpus: 1,
        pids: 256,
        allowShell: false,
        allowedCommands: [],
      },
      review: {
        auto: true,
        drafts: false,
        botAuthors: false,
        include: [],
        exclude: [],
        maxDiffLines: 3000,
        maxFindings: 15,
        approve: false,
        requestChanges: false,
        runTests: false,
        instructions: "",
      },
      index: { enabled: true, include: [], exclude: [] },
      instructions: "",
    });
  });

  it("keeps the other defaults when one setting is given", () => {
    const config = parseRepoConfig("budgets:\n  steps: 12\ntest:\n  command: make check\n");
    expect(config.budgets).toEqual({ ...defaultRepoConfig.budgets, steps: 12 });
    expect(config.test).toEqual({ command: "make check", timeoutMinutes: 10 });
    expect(config.branches).toEqual(defaultRepoConfig.branches);
  });

  it("names unknown keys with their dotted path", () => {
    const problems = configProblems("budgets:\n  stepz: 3\ntriggers:\n  user: [alice]\nfoo: 1\n");
    expect(problems.map((p) => p.field).sort()).toEqual(["budgets.stepz", "foo", "triggers.user"]);
    expect(problems.every((p) => p.message === "is not a known setting (check the spelling)")).toBe(true);
  });

  it("names fields of the wrong type or value", () => {
    const problems = configProblems("budgets:\n  steps: ten\nbranches:\n  prefix: coder\ntriggers:\n  permissions: [owner]\n");
    const byField = Object.fromEntries(problems.map((p) => [p.field, p.message]));
    expect(Object.keys(byField).sort()).toEqual(["branches.prefix", "budgets.steps", "triggers.permissions.0"]);
    expect(byField["budgets.steps"]).toMatch(/expected number/);
    expect(byField["branches.prefix"]).toBe("must be a simple name ending in a slash, such as coder/");
  });

  it("reports a YAML syntax error with its line number", () => {
    const problems = configProblems("budgets:\n  steps: 3\ntriggers: [admin\nfoo: 1\n");
    expect(problems).toHaveLength(1);
    expect(problems[0]?.field).toBe("(file)");
    expect(problems[0]?.message).toMatch(/^not valid YAML \(line \d+\): /);
    expect(problems[0]?.message).not.toContain("\n");
  });

  it("reports a duplicate key as a syntax error", () => {
    const problems = configProblems("instructions: a\ninstructions: b\n");
    expect(problems[0]?.message).toMatch(/^not valid YAML \(line 2\): Map keys must be unique/);
  });

  it("refuses a file that is not a mapping", () => {
    expect(configProblems("- just\n- a list\n")).toEqual([{ field: "(file)", message: expect.stringMatching(/expected object/) }]);
  });
});

describe("describeConfigProblems", () => {
  it("lists each problem as a Markdown bullet under a heading that names the file", () => {
    let error: RepoConfigError | undefined;
    try {
      parseRepoConfig("budgets:\n  stepz: 3\n  minutes: -1\n");
    } catch (e) {
      error = e as RepoConfigError;
    }
    expect(error).toBeInstanceOf(RepoConfigError);
    const text = describeConfigProblems(error!);
    const lines = text.split("\n");
    expect(lines[0]).toBe(`⚠️ I did not start: \`${REPO_CONFIG_PATH}\` on the default branch is invalid.`);
    expect(lines).toContain("- `budgets.stepz`: is not a known setting (check the spelling)");
    expect(lines.some((l) => l.startsWith("- `budgets.minutes`: "))).toBe(true);
    expect(text).toContain("Fix the file on the default branch and comment again.");
    expect(error!.message).toContain(`${REPO_CONFIG_PATH} is invalid: `);
  });
});
