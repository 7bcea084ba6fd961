/** Vectors are stored as little-endian float32, the layout sqlite-vec reads and the cache writes. */
export function toFloat32Blob(vector: readonly number[]): Buffer {
  const array = Float32Array.from(vector);
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

export function fromFloat32Blob(blob: Uint8Array): number[] {
  // Copied first: a Buffer from SQLite may sit at an offset that is not a multiple of 4.
  const copy = new Uint8Array(blob);
  return Array.from(new Float32Array(copy.buffer, 0, copy.byteLength / 4));
}
