import { open } from "node:fs/promises";
import { endianness } from "node:os";

/**
 * A minimal GGUF v3 writer (header, metadata, tensor infos, aligned tensor data), enough to build
 * test models that llama.cpp loads. The format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
 */

/** GGUF metadata value types; a value's type decides its encoding. */
const VALUE_TYPE = { uint32: 4, int32: 5, float32: 6, bool: 7, string: 8, array: 9 } as const;

/** ggml tensor element types this writer can store. */
export const GGML_TYPE = { f32: 0, f16: 1 } as const;
export type GgmlTypeName = keyof typeof GGML_TYPE;

export type GgufValue =
  | { readonly type: "uint32" | "int32" | "float32"; readonly value: number }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "array"; readonly itemType: "string"; readonly value: readonly string[] }
  | { readonly type: "array"; readonly itemType: "int32"; readonly value: readonly number[] };

export interface GgufTensor {
  readonly name: string;
  /** ggml order: the first dimension is the contiguous one (a row), unlike numpy's shape. */
  readonly dims: readonly number[];
  readonly type: GgmlTypeName;
  /** Row-major values, `product(dims)` of them; written as `type`. */
  readonly data: Float32Array;
}

export const GGUF_ALIGNMENT = 32;

class ByteSink {
  readonly #chunks: Buffer[] = [];
  length = 0;

  push(bytes: Buffer): void {
    this.#chunks.push(bytes);
    this.length += bytes.length;
  }
  u32(value: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    this.push(b);
  }
  i32(value: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(value);
    this.push(b);
  }
  f32(value: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.push(b);
  }
  u64(value: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    this.push(b);
  }
  string(value: string): void {
    const bytes = Buffer.from(value, "utf8");
    this.u64(bytes.length);
    this.push(bytes);
  }
  padTo(alignment: number): void {
    const rest = this.length % alignment;
    if (rest !== 0) this.push(Buffer.alloc(alignment - rest));
  }
  concat(): Buffer {
    return Buffer.concat(this.#chunks, this.length);
  }
}

function writeValue(sink: ByteSink, entry: GgufValue): void {
  switch (entry.type) {
    case "uint32":
      return sink.u32(entry.value);
    case "int32":
      return sink.i32(entry.value);
    case "float32":
      return sink.f32(entry.value);
    case "bool":
      return sink.push(Buffer.from([entry.value ? 1 : 0]));
    case "string":
      return sink.string(entry.value);
    case "array":
      sink.u32(VALUE_TYPE[entry.itemType]);
      sink.u64(entry.value.length);
      if (entry.itemType === "string") for (const item of entry.value) sink.string(item);
      else for (const item of entry.value) sink.i32(item);
  }
}

function tensorByteLength(tensor: GgufTensor): number {
  return tensor.data.length * (tensor.type === "f32" ? 4 : 2);
}

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/** IEEE 754 binary16 bits of a float, rounded to nearest with ties to even. */
export function toHalf(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    return sign | (half + (remainder > midpoint || (remainder === midpoint && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  return sign | (half + (remainder > 0x1000 || (remainder === 0x1000 && half & 1) ? 1 : 0));
}

function encodeTensor(tensor: GgufTensor): Buffer {
  if (tensor.type === "f32") return Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  const halves = new Uint16Array(tensor.data.length);
  for (let i = 0; i < tensor.data.length; i++) halves[i] = toHalf(tensor.data[i]!);
  return Buffer.from(halves.buffer);
}

/**
 * Writes a GGUF v3 file. Tensor data is streamed tensor by tensor, so only one tensor's encoded
 * bytes are held at a time beside the caller's arrays.
 */
export async function writeGguf(path: string, metadata: ReadonlyMap<string, GgufValue>, tensors: readonly GgufTensor[]): Promise<void> {
  // Tensor data is copied from typed arrays, which use the machine's byte order; GGUF is little-endian.
  if (endianness() !== "LE") throw new Error("writeGguf supports little-endian machines only");
  for (const tensor of tensors) {
    const count = tensor.dims.reduce((a, b) => a * b, 1);
    if (count !== tensor.data.length)
      throw new Error(`tensor ${tensor.name}: dims ${tensor.dims.join("x")} need ${count} values, got ${tensor.data.length}`);
  }

  const header = new ByteSink();
  header.push(Buffer.from("GGUF", "ascii"));
  header.u32(3);
  header.u64(tensors.length);
  header.u64(metadata.size);
  for (const [key, value] of metadata) {
    header.string(key);
    header.u32(VALUE_TYPE[value.type]);
    writeValue(header, value);
  }
  let offset = 0;
  for (const tensor of tensors) {
    header.string(tensor.name);
    header.u32(tensor.dims.length);
    for (const dim of tensor.dims) header.u64(dim);
    header.u32(GGML_TYPE[tensor.type]);
    header.u64(offset);
    offset += Math.ceil(tensorByteLength(tensor) / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;
  }
  header.padTo(GGUF_ALIGNMENT);

  const file = await open(path, "w");
  try {
    await file.write(header.concat());
    for (const tensor of tensors) {
      const bytes = encodeTensor(tensor);
      await file.write(bytes);
      const padding = (GGUF_ALIGNMENT - (bytes.length % GGUF_ALIGNMENT)) % GGUF_ALIGNMENT;
      if (padding > 0) await file.write(Buffer.alloc(padding));
    }
  } finally {
    await file.close();
  }
}
