import { describe, expect, it } from "vitest";
import { loadEnv } from "../../src/config/env.js";
import { DeferredProvider } from "../../src/llm/deferred-provider.js";
import { LlmError } from "../../src/llm/llm-error.js";
import { OllamaProvider } from "../../src/llm/ollama-provider.js";
import { OpenAICompatibleProvider } from "../../src/llm/openai-provider.js";
import { providerFor } from "../../src/llm/provider-for.js";

describe("providerFor", () => {
  it("builds the backend CODER_PROVIDER names", () => {
    expect(providerFor(loadEnv({}))).toBeInstanceOf(OllamaProvider);
    expect(providerFor(loadEnv({})).label).toBe("ollama:qwen2.5-coder:7b");
    const openai = providerFor(loadEnv({ CODER_PROVIDER: "openai", CODER_MODEL: "Qwen/Qwen2.5-Coder-7B-Instruct" }));
    expect(openai).toBeInstanceOf(OpenAICompatibleProvider);
    expect(openai.label).toContain("Qwen/Qwen2.5-Coder-7B-Instruct");
    const llama = providerFor(loadEnv({ CODER_PROVIDER: "llama-cpp", CODER_LLAMA_MODEL: "/models/qwen2.5-coder-7b-q4_k_m.gguf" }));
    expect(llama).toBeInstanceOf(DeferredProvider);
    expect(llama.label).toBe("llama-cpp:qwen2.5-coder-7b-q4_k_m.gguf");
  });

  it("loads the embedded backend only when it is used, and reports a missing file with what to set", async () => {
    const llama = providerFor(loadEnv({ CODER_PROVIDER: "llama-cpp", CODER_LLAMA_MODEL: "/nonexistent/model.gguf" }));
    // Before loading, counts are estimates.
    expect(llama.countTokens?.("hello world")).toBeGreaterThan(0);
    const error = await llama.describe().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).reason).toBe("model-not-found");
    expect((error as LlmError).hint).toContain("CODER_LLAMA_MODEL");
    await llama.close?.();
  });
});
