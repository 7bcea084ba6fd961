import os from "node:os";
import type { Env } from "../config/env.js";
import { DeferredProvider } from "./deferred-provider.js";
import { OllamaProvider } from "./ollama-provider.js";
import { OpenAICompatibleProvider } from "./openai-provider.js";
import type { LlmProvider } from "./types.js";

export type ModelEnv = Pick<
  Env,
  | "CODER_PROVIDER"
  | "CODER_MODEL"
  | "OLLAMA_HOST"
  | "CODER_CONTEXT_SIZE"
  | "CODER_MAX_CONTEXT_SIZE"
  | "CODER_MODEL_TIMEOUT_SECONDS"
  | "CODER_OPENAI_BASE_URL"
  | "CODER_OPENAI_API_KEY"
  | "CODER_OPENAI_JSON_SCHEMA"
  | "CODER_LLAMA_MODEL"
  | "CODER_LLAMA_THREADS"
  | "CODER_LLAMA_GPU"
  | "CODER_DATA_DIR"
>;

/** The model backend the environment names, with its context size and timeouts. */
export function providerFor(env: ModelEnv): LlmProvider {
  const timeoutMs = env.CODER_MODEL_TIMEOUT_SECONDS * 1000;
  const contextSize = env.CODER_CONTEXT_SIZE !== undefined ? { contextSize: env.CODER_CONTEXT_SIZE } : {};
  switch (env.CODER_PROVIDER) {
    case "ollama":
      return new OllamaProvider({
        host: env.OLLAMA_HOST,
        model: env.CODER_MODEL,
        ...contextSize,
        maxContextSize: env.CODER_MAX_CONTEXT_SIZE,
        timeoutMs,
      });
    case "openai":
      return new OpenAICompatibleProvider({
        baseURL: env.CODER_OPENAI_BASE_URL,
        model: env.CODER_MODEL,
        ...(env.CODER_OPENAI_API_KEY ? { apiKey: env.CODER_OPENAI_API_KEY } : {}),
        ...contextSize,
        timeoutMs,
        jsonSchema: env.CODER_OPENAI_JSON_SCHEMA,
      });
    case "llama-cpp": {
      const model = env.CODER_LLAMA_MODEL ?? "";
      return new DeferredProvider(`llama-cpp:${model.split(/[\\/]/).at(-1) ?? model}`, async () => {
        const { LlamaCppProvider } = await import("./llama-cpp-provider.js");
        return new LlamaCppProvider({
          model,
          contextSize: env.CODER_CONTEXT_SIZE ?? env.CODER_MAX_CONTEXT_SIZE,
          // node-llama-cpp's own default of 4 threads is many times slower on a 2-core machine.
          threads: env.CODER_LLAMA_THREADS ?? os.availableParallelism(),
          gpu: env.CODER_LLAMA_GPU === "off" ? false : env.CODER_LLAMA_GPU,
          modelsDir: `${env.CODER_DATA_DIR}/models`,
        });
      });
    }
  }
}
