import { LlmError } from "../../llm/llm-error.js";

/** An embedder that returned the wrong number or shape of vectors would silently index garbage. */
export function checkVectors(label: string, vectors: unknown, count: number, dimensions?: number): number[][] {
  if (!Array.isArray(vectors) || vectors.length !== count) {
    throw new LlmError("bad-response", `${label} returned ${Array.isArray(vectors) ? vectors.length : "no"} vectors for ${count} texts`, {
      hint: "check the embedding model; it must return one vector per input",
    });
  }
  const size = dimensions ?? (Array.isArray(vectors[0]) ? vectors[0].length : 0);
  for (const vector of vectors) {
    if (
      !Array.isArray(vector) ||
      vector.length !== size ||
      size === 0 ||
      !vector.every((x) => typeof x === "number" && Number.isFinite(x))
    ) {
      throw new LlmError("bad-response", `${label} returned a vector that is not ${size} finite numbers`, {
        hint: "check the embedding model; a chat model cannot embed",
      });
    }
  }
  return vectors as number[][];
}

/** Scaled to length 1, so a dot product is the cosine; a zero vector stays as it is. */
export function unitLength(vector: readonly number[]): number[] {
  let sum = 0;
  for (const x of vector) sum += x * x;
  const length = Math.sqrt(sum);
  return length === 0 ? [...vector] : vector.map((x) => x / length);
}
