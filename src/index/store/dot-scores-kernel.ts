/**
 * A WebAssembly SIMD kernel that scores every row of a matrix against one query: four floats per
 * instruction, where a JavaScript loop does one. At 50,000 rows of 512 dimensions it takes 3–10 ms
 * on one core, against 30–120 ms for the best unrolled JavaScript loop, and that difference is
 * most of a hybrid query's budget. Every Node that this project supports (≥ 20) runs wasm SIMD.
 *
 * The bytes are `dot-scores-kernel.wat` beside this file, assembled with wabt's `wat2wasm`
 * (SIMD is its default); `test/index/vector-matrix.test.ts` assembles it again and compares.
 *
 * Two accumulators rather than one: an add waits for the previous one, and two chains keep the
 * multiplier busy. `test/index/vector-matrix.test.ts` checks the kernel against plain arithmetic.
 */
export const KERNEL = Uint8Array.from(
  Buffer.from(
    "AGFzbQEAAAABCQFgBX9/f39/AAIPAQNlbnYGbWVtb3J5AgABAwIBAAcKAQZzY29yZXMAAArPAQHMAQICfwJ7IAQgAUECdGohBQJAIAQgBU8NAANA/QwAAAAAAAAAAAAAAAAAAAAAIQf9DAAAAAAAAAAAAAAAAAAAAAAhCEEAIQYDQCAHIAAgBmr9AAQAIAMgBmr9AAQA/eYB/eQBIQcgCCAAIAZq/QAEECADIAZq/QAEEP3mAf3kASEIIAZBIGohBiAGIAJJDQALIAcgCP3kASEHIAQgB/0fACAH/R8BkiAH/R8CIAf9HwOSkjgCACAAIAJqIQAgBEEEaiEEIAQgBUkNAAsLCw==",
    "base64",
  ),
);

/** Floats per row in the kernel's layout: it reads rows eight floats (two lanes of four) at a time. */
export const KERNEL_ROW_MULTIPLE = 8;

/** The kernel's memory: the rows, the query and the scores, addressed by byte offset. */
export interface KernelMemory {
  /** Replaced by a new, larger buffer on every `grow`: views must be made again after it. */
  readonly buffer: ArrayBuffer;
  /** Adds 64 KiB pages; throws past the maximum. */
  grow(pages: number): number;
}

/** `scores(matrix, rows, rowBytes, query, out)`, byte offsets into the memory; see the module above. */
export type DotScores = (matrix: number, rows: number, rowBytes: number, query: number, out: number) => void;

/** The few WebAssembly globals used here, which the type libraries of this project (ES2023, Node 20) do not declare. */
interface WasmGlobals {
  Memory: new (descriptor: { initial: number; maximum: number }) => KernelMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: { env: { memory: KernelMemory } }) => { exports: Record<string, unknown> };
}

const wasm = (globalThis as unknown as { WebAssembly: WasmGlobals }).WebAssembly;
let compiled: object | undefined;

/** A memory of `pages` 64 KiB pages (growable to `maximumPages`) and the kernel over it; compiled once per process. */
export function dotScoresKernel(pages: number, maximumPages: number): { memory: KernelMemory; scores: DotScores } {
  compiled ??= new wasm.Module(KERNEL);
  const memory = new wasm.Memory({ initial: pages, maximum: maximumPages });
  const instance = new wasm.Instance(compiled, { env: { memory } });
  return { memory, scores: instance.exports.scores as DotScores };
}
