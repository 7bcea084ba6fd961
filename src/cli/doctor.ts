import { access, constants, mkdir } from "node:fs/promises";
import Docker from "dockerode";
import { execa } from "execa";
import type { Env } from "../config/env.js";
import { checkGiteaToken, REQUIRED_SCOPES } from "../forge/gitea/check-token.js";
import { GiteaClient } from "../forge/gitea/gitea-client.js";
import { LlmError } from "../llm/llm-error.js";
import { providerFor } from "../llm/provider-for.js";

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** The command or step that fixes a failure. */
  readonly fix?: string;
}

async function commandWorks(file: string, args: string[]): Promise<string | null> {
  const result = await execa(file, args, { reject: false, timeout: 10_000 });
  return result.exitCode === 0 ? (String(result.stdout).split("\n")[0] ?? "") : null;
}

/** Asks the configured backend about the model, as the agent does before its first step. */
async function modelCheck(env: Env): Promise<Check> {
  const provider = providerFor(env);
  try {
    const info = await provider.describe(AbortSignal.timeout(120_000));
    const mode =
      env.CODER_TOOL_MODE === "auto"
        ? info.nativeTools
          ? "native tool calls"
          : "text-mode tool calls"
        : `${env.CODER_TOOL_MODE} tool calls (set by CODER_TOOL_MODE)`;
    return {
      name: "Model",
      ok: true,
      detail: `${provider.label}: ${info.contextSize} tokens of context, ${mode}${info.constrainedDecoding ? ", constrained decoding" : ""}`,
    };
  } catch (error) {
    return {
      name: "Model",
      ok: false,
      detail: `${provider.label}: ${(error as Error).message}`,
      ...(error instanceof LlmError && error.hint ? { fix: error.hint } : {}),
    };
  } finally {
    await provider.close?.();
  }
}

/** Everything the bot needs, checked one by one; each failure says how to fix it. */
export async function runDoctor(env: Env): Promise<Check[]> {
  const checks: Check[] = [];
  checks.push(await modelCheck(env));
  checks.push(...(await dockerChecks(env)));
  const rg = await commandWorks("rg", ["--version"]).catch(() => null);
  checks.push(
    rg
      ? { name: "ripgrep", ok: true, detail: rg }
      : {
          name: "ripgrep",
          ok: env.CODER_RUNNER !== "host",
          detail: "rg is not installed (the host runner's grep and find_files need it)",
          fix: "apt-get install -y ripgrep",
        },
  );
  const git = await commandWorks("git", ["--version"]).catch(() => null);
  checks.push(
    git
      ? { name: "git", ok: true, detail: git }
      : { name: "git", ok: false, detail: "git is not installed", fix: "apt-get install -y git" },
  );
  try {
    await mkdir(env.CODER_DATA_DIR, { recursive: true });
    await access(env.CODER_DATA_DIR, constants.W_OK);
    checks.push({ name: "Data directory", ok: true, detail: `${env.CODER_DATA_DIR} is writable` });
  } catch (error) {
    checks.push({
      name: "Data directory",
      ok: false,
      detail: `${env.CODER_DATA_DIR}: ${(error as Error).message}`,
      fix: "set CODER_DATA_DIR to a writable directory",
    });
  }
  if (env.hasCredentials || !env.hasGitea) {
    checks.push(
      env.hasCredentials
        ? { name: "GitHub App", ok: true, detail: `App ${env.APP_ID}${env.GHE_HOST ? ` on ${env.GHE_HOST}` : ""}` }
        : {
            name: "GitHub App",
            ok: false,
            detail:
              "APP_ID, PRIVATE_KEY(_PATH) or WEBHOOK_SECRET is missing (or configure a Gitea server instead: GITEA_URL, GITEA_TOKEN, GITEA_WEBHOOK_SECRET)",
            fix: "run `coder-bot serve` and open http://localhost:3000 to register the App, or copy the values from the App's settings into .env",
          },
    );
  }
  if (env.hasGitea) checks.push(await giteaCheck(env));
  return checks;
}

/** The Gitea server, the bot account's token and its scopes, as `serve` checks them at start-up. */
async function giteaCheck(env: Env): Promise<Check> {
  const url = env.GITEA_URL ?? "";
  try {
    const check = await checkGiteaToken(new GiteaClient({ baseUrl: url, token: env.GITEA_TOKEN ?? "", timeoutMs: 15_000 }));
    if (check.missingScopes.length > 0) {
      return {
        name: "Gitea",
        ok: false,
        detail: `${url}: the token lacks ${check.missingScopes.join(", ")}`,
        fix: `create a token for the bot account with ${REQUIRED_SCOPES.join(", ")}`,
      };
    }
    const admin = check.isAdmin
      ? "a site admin, so it can read every commenter's permission"
      : "not a site admin: make it an admin collaborator of each repository it serves, or Gitea hides commenters' permissions from it";
    return {
      name: "Gitea",
      ok: true,
      detail: `${url} as @${check.login} (${admin}); webhook: ${env.GITEA_WEBHOOK_PATH} with GITEA_WEBHOOK_SECRET`,
    };
  } catch (error) {
    const status = (error as { status?: number }).status;
    return status === 401
      ? {
          name: "Gitea",
          ok: false,
          detail: `${url} does not accept GITEA_TOKEN`,
          fix: `create an access token for the bot account with ${REQUIRED_SCOPES.join(", ")}`,
        }
      : {
          name: "Gitea",
          ok: false,
          detail: `cannot reach ${url}: ${(error as Error).message}`,
          fix: "check GITEA_URL and that the server is up",
        };
  }
}

export function formatChecks(checks: readonly Check[]): string {
  return checks.map((c) => `${c.ok ? "✔" : "✘"} ${c.name}: ${c.detail}${!c.ok && c.fix ? `\n    fix: ${c.fix}` : ""}`).join("\n");
}

async function dockerChecks(env: Env): Promise<Check[]> {
  if (env.CODER_RUNNER === "host") {
    return [
      {
        name: "Runner",
        ok: true,
        detail: "host runner: the agent's commands run on this machine without isolation (trusted repositories only)",
      },
    ];
  }
  const docker = new Docker();
  const info = (await docker.info().catch(() => null)) as { ServerVersion?: string; Runtimes?: Record<string, unknown> } | null;
  if (!info) {
    return [
      {
        name: "Docker",
        ok: false,
        detail: "no Docker engine answers",
        fix: "install and start it: `scripts/setup-docker.sh` (or set DOCKER_HOST)",
      },
    ];
  }
  const runtimes = Object.keys(info.Runtimes ?? {});
  const gvisor = runtimes.includes("runsc");
  const checks: Check[] = [
    { name: "Docker", ok: true, detail: `engine ${info.ServerVersion ?? "?"}, runtimes ${runtimes.join(", ")}` },
    {
      name: "gVisor",
      ok: gvisor || env.CODER_SANDBOX_RUNTIME === "runc",
      detail: gvisor
        ? `available (workspaces use ${env.CODER_SANDBOX_RUNTIME}${env.CODER_SANDBOX_RUNTIME === "runc" ? "; set CODER_SANDBOX_RUNTIME=runsc to use it" : ""})`
        : "not available; workspaces use runc",
      fix: "`scripts/setup-docker.sh` installs runsc and registers it with Docker",
    },
  ];
  const image = await docker
    .getImage(env.CODER_WORKSPACE_IMAGE)
    .inspect()
    .catch(() => null);
  checks.push(
    image
      ? { name: "Workspace image", ok: true, detail: `${env.CODER_WORKSPACE_IMAGE} is built` }
      : { name: "Workspace image", ok: false, detail: `${env.CODER_WORKSPACE_IMAGE} is missing`, fix: "scripts/build-images.sh" },
  );
  return checks;
}
