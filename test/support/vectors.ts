/** Deterministic vectors in [-1, 1) (xorshift; no Math.random in tests). */
export function seededVectors(count: number, dimensions: number, seed: number): number[][] {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 0x1_0000_0000) * 2 - 1;
  };
  return Array.from({ length: count }, () => Array.from({ length: dimensions }, next));
}

/** Cosine similarity, computed the plain way; 0 when either vector is all zeros. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    dot += x * y;
    aa += x * x;
    bb += y * y;
  });
  return aa === 0 || bb === 0 ? 0 : dot / Math.sqrt(aa * bb);
}
