import { readFileSync } from "node:fs";
import path from "node:path";
import wabt from "wabt";
import { describe, expect, it } from "vitest";
import { KERNEL } from "../../src/index/store/dot-scores-kernel.js";
import { VectorMatrix } from "../../src/index/store/vector-matrix.js";
import { cosine, seededVectors } from "../support/vectors.js";

/** The answer worked out the slow way: every cosine, sorted, ties by id. */
function bruteForce(
  vectors: readonly number[][],
  ids: readonly number[],
  query: readonly number[],
  k: number,
  accept: (id: number) => boolean = () => true,
) {
  return vectors
    .map((vector, i) => ({ id: ids[i]!, score: cosine(vector, query) }))
    .filter((hit) => accept(hit.id))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, k);
}

function matrixOf(dimensions: number, vectors: readonly number[][], ids: readonly number[], capacity?: number): VectorMatrix {
  const matrix = new VectorMatrix(dimensions, capacity === undefined ? {} : { capacity });
  vectors.forEach((vector, i) => matrix.set(ids[i]!, vector));
  return matrix;
}

describe("VectorMatrix", () => {
  it("runs the kernel its source text describes: the .wat beside it, assembled again, gives the same bytes", async () => {
    const file = path.resolve(import.meta.dirname, "../../src/index/store/dot-scores-kernel.wat");
    const assembled = (await wabt()).parseWat(file, readFileSync(file, "utf8")).toBinary({}).buffer;
    expect(Buffer.from(assembled).toString("base64")).toBe(Buffer.from(KERNEL).toString("base64"));
  });

  it("finds the same neighbours, in the same order, as computing every cosine, for dimensions that do and do not fill the kernel's rows", () => {
    for (const dimensions of [2, 3, 8, 13, 64, 512]) {
      const vectors = seededVectors(700, dimensions, dimensions);
      const ids = vectors.map((_, i) => 1_000 + i * 3);
      // Starting small makes the matrix grow several times on the way.
      const matrix = matrixOf(dimensions, vectors, ids, 5);
      expect(matrix.size).toBe(700);
      for (const [q, query] of seededVectors(5, dimensions, 99 + dimensions).entries()) {
        const expected = bruteForce(vectors, ids, query, 25);
        const actual = matrix.nearest(query, 25);
        expect(
          actual.map((hit) => hit.id),
          `dimensions ${dimensions}, query ${q}`,
        ).toEqual(expected.map((hit) => hit.id));
        actual.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 5));
      }
    }
  });

  it("scores by cosine: the length of neither a row nor the query matters, and an exact match scores 1", () => {
    const vectors = [
      [1, 0, 0, 0],
      [0, 5, 0, 0],
      [3, 3, 0, 0],
      [0, 0, -2, 0],
    ];
    const matrix = matrixOf(4, vectors, [1, 2, 3, 4]);
    const hits = matrix.nearest([0, 100, 0, 0], 4);
    expect(hits.map((hit) => hit.id)).toEqual([2, 3, 1, 4]);
    expect(hits[0]?.score).toBeCloseTo(1, 6);
    expect(hits[1]?.score).toBeCloseTo(Math.SQRT1_2, 6);
    expect(hits[2]?.score).toBeCloseTo(0, 6);
    expect(matrix.nearest([0, 0, 1, 0], 4).at(-1)).toEqual({ id: 4, score: -1 });
  });

  it("returns fewer hits than asked when it holds fewer rows, none for k below 1, and breaks ties by id", () => {
    const matrix = matrixOf(
      2,
      [
        [1, 0],
        [1, 0],
        [0, 1],
      ],
      [30, 10, 20],
    );
    expect(matrix.nearest([1, 0], 10).map((hit) => hit.id)).toEqual([10, 30, 20]);
    expect(matrix.nearest([1, 0], 0)).toEqual([]);
    expect(matrix.nearest([1, 0], -3)).toEqual([]);
    expect(matrix.nearest([1, 0], 1.7).map((hit) => hit.id)).toEqual([10]);
    expect(new VectorMatrix(2).nearest([1, 0], 5)).toEqual([]);
  });

  it("keeps a zero vector at score 0 and answers a zero query with zeros, not NaN", () => {
    const matrix = matrixOf(
      3,
      [
        [0, 0, 0],
        [0, 1, 0],
      ],
      [1, 2],
    );
    expect(matrix.nearest([0, 1, 0], 2)).toEqual([
      { id: 2, score: 1 },
      { id: 1, score: 0 },
    ]);
    expect(matrix.nearest([0, 0, 0], 2)).toEqual([
      { id: 1, score: 0 },
      { id: 2, score: 0 },
    ]);
  });

  it("asks `accept` only about rows good enough to be among the best, and leaves out the rows it refuses", () => {
    const vectors = seededVectors(2_000, 16, 7);
    const ids = vectors.map((_, i) => i);
    const matrix = matrixOf(16, vectors, ids);
    const [query] = seededVectors(1, 16, 8);
    const odd = (id: number) => id % 2 === 1;
    let asked = 0;
    const hits = matrix.nearest(query!, 10, (id) => {
      asked++;
      return odd(id);
    });
    expect(hits).toEqual(bruteForce(vectors, ids, query!, 10, odd).map((hit) => ({ id: hit.id, score: expect.closeTo(hit.score, 5) })));
    expect(asked).toBeLessThan(400);
    expect(matrix.nearest(query!, 10, () => false)).toEqual([]);
  });

  it("takes rows as float32 bytes, the way sqlite-vec stores them, with the same result as numbers", () => {
    const vectors = seededVectors(50, 12, 3);
    const ids = vectors.map((_, i) => i + 1);
    const fromNumbers = matrixOf(12, vectors, ids);
    const fromBytes = new VectorMatrix(12);
    vectors.forEach((vector, i) => {
      const floats = Float32Array.from(vector);
      // At an odd offset, as a Buffer from SQLite may be: the bytes are copied, never viewed as floats.
      const bytes = new Uint8Array(floats.byteLength + 1);
      bytes.set(new Uint8Array(floats.buffer), 1);
      fromBytes.setFloat32Bytes(ids[i]!, bytes.subarray(1));
    });
    const [query] = seededVectors(1, 12, 4);
    expect(fromBytes.nearest(query!, 50)).toEqual(fromNumbers.nearest(query!, 50));
  });

  it("refuses a row or a query of another dimension", () => {
    const matrix = new VectorMatrix(4);
    expect(() => matrix.set(1, [1, 2, 3])).toThrow(/3 dimensions in a matrix of 4/);
    expect(() => matrix.setFloat32Bytes(1, new Uint8Array(12))).toThrow(/12 bytes/);
    expect(() => matrix.nearest([1, 2, 3, 4, 5], 1)).toThrow(/5 dimensions/);
    expect(() => new VectorMatrix(0)).toThrow(/not a vector dimension/);
  });

  it("replaces the row of an id that is set again, and removes rows by id, with the same answers as a matrix built afresh", () => {
    const vectors = seededVectors(300, 10, 11);
    const replacements = seededVectors(300, 10, 12);
    const matrix = matrixOf(
      10,
      vectors,
      vectors.map((_, i) => i),
    );
    const expected = new Map(vectors.map((vector, i) => [i, vector]));
    for (let i = 0; i < 300; i += 3) {
      matrix.set(i, replacements[i]!);
      expected.set(i, replacements[i]!);
    }
    // The first, the last and rows in between, so the moved last row is checked in each place.
    for (const id of [0, 299, 150, 151, 7, 298, 1_000]) {
      matrix.remove(id);
      expected.delete(id);
    }
    expect(matrix.size).toBe(expected.size);
    const fresh = matrixOf(10, [...expected.values()], [...expected.keys()]);
    for (const query of seededVectors(4, 10, 13)) expect(matrix.nearest(query, 300)).toEqual(fresh.nearest(query, 300));
    for (const id of [...expected.keys()]) matrix.remove(id);
    expect(matrix.size).toBe(0);
    expect(matrix.nearest([1, 0, 0, 0, 0, 0, 0, 0, 0, 0], 3)).toEqual([]);
  });

  it("scores rows added after a query as well as those before it", () => {
    // A query writes its scores past the last row, where the next row goes.
    const matrix = new VectorMatrix(3, { capacity: 1 });
    matrix.set(1, [1, 0, 0]);
    expect(matrix.nearest([1, 1, 1], 1)[0]?.id).toBe(1);
    matrix.set(2, [1, 1, 1]);
    matrix.set(3, [0, 0, 1]);
    const hits = matrix.nearest([1, 1, 1], 3);
    expect(hits.map((hit) => hit.id)).toEqual([2, 1, 3]);
    expect(hits[0]?.score).toBeCloseTo(1, 6);
  });
});
