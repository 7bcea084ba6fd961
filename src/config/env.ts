import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";

const flag = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .default("")
  .transform((v) => v === "1" || v === "true" || v === "yes");

const positiveInt = (fallback: number) =>
  z.coerce.number().int("must be a whole number").positive("must be greater than 0").default(fallback);

/**
 * The process environment, validated once at start-up. Probot's own variables keep their names so
 * that an existing Probot deployment's `.env` works unchanged.
 */
export const envSchema = z
  .object({
    APP_ID: z.string().regex(/^\d+$/, "must be the numeric App ID from the GitHub App's settings page").optional(),
    PRIVATE_KEY: z.string().optional(),
    PRIVATE_KEY_PATH: z.string().optional(),
    WEBHOOK_SECRET: z.string().min(1).optional(),
    WEBHOOK_PATH: z.string().startsWith("/").default("/api/github/webhooks"),
    GHE_HOST: z
      .string()
      .regex(/^[^/\s]+$/, "must be a host name with an optional port, without a scheme or path (github.example.com)")
      .optional(),
    GHE_PROTOCOL: z.enum(["https", "http"]).default("https"),
    GITEA_URL: z
      .url("must be the Gitea or Forgejo server's address, such as https://gitea.example.com")
      .transform((url) => url.replace(/\/+$/, ""))
      .optional(),
    GITEA_TOKEN: z.string().min(1).optional(),
    GITEA_WEBHOOK_SECRET: z.string().min(1).optional(),
    GITEA_WEBHOOK_PATH: z.string().startsWith("/").default("/api/gitea/webhooks"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().optional(),
    LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
    OLLAMA_HOST: z.url("must be a URL such as http://127.0.0.1:11434").default("http://127.0.0.1:11434"),
    CODER_PROVIDER: z.enum(["ollama", "openai", "llama-cpp"]).default("ollama"),
    CODER_MODEL: z.string().min(1).default("qwen2.5-coder:7b"),
    CODER_CONTEXT_SIZE: z.coerce
      .number()
      .int("must be a whole number")
      .min(2048, "must be at least 2048 tokens: an agent needs room for its tools and a few steps")
      .optional(),
    CODER_MAX_CONTEXT_SIZE: positiveInt(32768),
    CODER_TOOL_MODE: z.enum(["auto", "native", "text"]).default("auto"),
    CODER_MODEL_TIMEOUT_SECONDS: positiveInt(300),
    CODER_OPENAI_BASE_URL: z.url("must be a URL such as http://127.0.0.1:8000/v1").default("http://127.0.0.1:8000/v1"),
    CODER_OPENAI_API_KEY: z.string().min(1).optional(),
    CODER_OPENAI_JSON_SCHEMA: z
      .enum(["1", "0", "true", "false", "yes", "no"])
      .default("true")
      .transform((v) => v === "1" || v === "true" || v === "yes"),
    CODER_LLAMA_MODEL: z.string().min(1).optional(),
    CODER_LLAMA_THREADS: z.coerce.number().int("must be a whole number").positive("must be greater than 0").optional(),
    CODER_LLAMA_GPU: z.enum(["auto", "off", "cuda", "vulkan", "metal"]).default("auto"),
    CODER_INDEX: z.enum(["sqlite", "qdrant", "off"]).default("sqlite"),
    QDRANT_URL: z.url("must be a URL such as http://127.0.0.1:6333").optional(),
    QDRANT_API_KEY: z.string().min(1).optional(),
    CODER_EMBEDDINGS: z.enum(["builtin", "ollama"]).default("builtin"),
    CODER_EMBED_MODEL: z.string().min(1).default("nomic-embed-text"),
    CODER_INDEX_INTERVAL_MINUTES: z.coerce.number().int("must be a whole number").min(0, "must be 0 (off) or more").default(0),
    CODER_DATA_DIR: z.string().min(1).default(path.join(os.homedir(), ".coder-bot")),
    CODER_DRY_RUN: flag,
    CODER_CONCURRENCY: z.coerce.number().int().min(0, "must be 0 (accept only) or more").default(2),
    CODER_MAX_ATTEMPTS: positiveInt(2),
    CODER_RUNNER: z.enum(["docker", "host"]).default("docker"),
    CODER_SANDBOX_RUNTIME: z.enum(["runc", "runsc"]).default("runc"),
    CODER_WORKSPACE_IMAGE: z.string().min(1).default("coder-bot/workspace:latest"),
    CODER_GIT_NAME: z.string().min(1).default("coder-bot[bot]"),
    CODER_GIT_EMAIL: z.email().default("coder-bot[bot]@users.noreply.github.com"),
  })
  .superRefine((env, ctx) => {
    if (env.CODER_INDEX === "qdrant" && !env.QDRANT_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["QDRANT_URL"],
        message: "CODER_INDEX is qdrant but QDRANT_URL is not set: point it at the Qdrant server (http://127.0.0.1:6333)",
      });
    }
    if (env.CODER_PROVIDER === "llama-cpp" && !env.CODER_LLAMA_MODEL) {
      ctx.addIssue({
        code: "custom",
        path: ["CODER_LLAMA_MODEL"],
        message:
          "CODER_PROVIDER is llama-cpp but no model: set CODER_LLAMA_MODEL to a .gguf file (or an hf: model URI on a machine with internet)",
      });
    }
    if (env.PRIVATE_KEY && env.PRIVATE_KEY_PATH) {
      ctx.addIssue({ code: "custom", path: ["PRIVATE_KEY_PATH"], message: "set PRIVATE_KEY or PRIVATE_KEY_PATH, not both" });
    }
    if (env.APP_ID && !env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH) {
      ctx.addIssue({
        code: "custom",
        path: ["PRIVATE_KEY"],
        message: "APP_ID is set but no private key: set PRIVATE_KEY or PRIVATE_KEY_PATH to the App's .pem",
      });
    }
    const gitea = { GITEA_URL: env.GITEA_URL, GITEA_TOKEN: env.GITEA_TOKEN, GITEA_WEBHOOK_SECRET: env.GITEA_WEBHOOK_SECRET };
    const giteaSet = Object.entries(gitea).filter(([, value]) => value !== undefined);
    if (giteaSet.length > 0 && giteaSet.length < 3) {
      for (const [name, value] of Object.entries(gitea)) {
        if (value === undefined) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `${giteaSet.map(([n]) => n).join(" and ")} ${giteaSet.length === 1 ? "is" : "are"} set but not ${name}: a Gitea or Forgejo server needs GITEA_URL, GITEA_TOKEN (the bot account's token) and GITEA_WEBHOOK_SECRET`,
          });
        }
      }
    }
    if (env.GITEA_WEBHOOK_PATH.replace(/\/+$/, "") === env.WEBHOOK_PATH.replace(/\/+$/, "")) {
      ctx.addIssue({
        code: "custom",
        path: ["GITEA_WEBHOOK_PATH"],
        message: `is the same as WEBHOOK_PATH (${env.WEBHOOK_PATH}): GitHub's and Gitea's deliveries need paths of their own`,
      });
    }
    if (env.APP_ID && !env.WEBHOOK_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["WEBHOOK_SECRET"],
        message: "APP_ID is set but no WEBHOOK_SECRET: deliveries cannot be verified without it",
      });
    }
  });

export type RawEnv = z.infer<typeof envSchema>;

export interface Env extends Omit<RawEnv, "PRIVATE_KEY" | "PRIVATE_KEY_PATH"> {
  /** The App's private key in PEM form, read from PRIVATE_KEY or PRIVATE_KEY_PATH. */
  readonly privateKey: string | undefined;
  /** True when the App's credentials are all present. */
  readonly hasCredentials: boolean;
  /** True when a Gitea or Forgejo server is configured (URL, token and webhook secret). */
  readonly hasGitea: boolean;
}

/** The environment cannot start the bot; every problem is listed, each with the variable to fix. */
export class EnvError extends Error {
  readonly reason = "invalid-environment";
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`The environment has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
    this.problems = problems;
  }
}

/** Reads and validates the environment, reporting every problem at once. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse({ ...cleaned, CODER_DRY_RUN: source.CODER_DRY_RUN ?? "" });
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`));
  }
  const { PRIVATE_KEY, PRIVATE_KEY_PATH, ...rest } = parsed.data;
  let privateKey = PRIVATE_KEY?.replace(/\\n/g, "\n");
  if (PRIVATE_KEY_PATH) {
    try {
      privateKey = readFileSync(PRIVATE_KEY_PATH, "utf8");
    } catch (error) {
      throw new EnvError([
        `PRIVATE_KEY_PATH: cannot read ${PRIVATE_KEY_PATH} (${(error as Error).message}); point it at the App's .pem file`,
      ]);
    }
  }
  if (privateKey !== undefined && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    throw new EnvError(["PRIVATE_KEY: is not a PEM private key (it should start with -----BEGIN RSA PRIVATE KEY-----)"]);
  }
  return {
    ...rest,
    privateKey,
    hasCredentials: Boolean(rest.APP_ID && privateKey && rest.WEBHOOK_SECRET),
    hasGitea: Boolean(rest.GITEA_URL && rest.GITEA_TOKEN && rest.GITEA_WEBHOOK_SECRET),
  };
}
