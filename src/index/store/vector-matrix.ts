import { dotScoresKernel, KERNEL_ROW_MULTIPLE, type DotScores, type KernelMemory } from "./dot-scores-kernel.js";

export interface MatrixHit {
  readonly id: number;
  /** Cosine similarity, -1 to 1. */
  readonly score: number;
}

const PAGE_BYTES = 65_536;
/** wasm32 addresses 4 GiB; a space past that (about two million 512-dimensional vectors) needs another store. */
const MAX_PAGES = 65_536;

/**
 * Vectors in memory for exact nearest search: one contiguous float32 block, every row scaled to
 * unit length when it is set, so a dot product is the cosine. A query scores every row with a
 * SIMD kernel and keeps the best `k` with a small heap, never sorting the rest. Rows are set and
 * removed by id, so a store can follow its own writes without loading everything again.
 *
 * Memory is 4 bytes per dimension per vector (rows padded to a multiple of 8 floats): 100 MB for
 * 50,000 vectors of 512 dimensions, plus 4 bytes per row for the scores of a query.
 *
 * @example
 * const matrix = new VectorMatrix(512);
 * matrix.set(17, vector);
 * const [best] = matrix.nearest(query, 10); // { id: 17, score: 0.93 }
 */
export class VectorMatrix {
  readonly dimensions: number;
  /** Floats per row: `dimensions` rounded up for the kernel, the padding left at zero. */
  readonly #stride: number;
  readonly #memory: KernelMemory;
  readonly #kernel: DotScores;
  /** The id of each row, in row order. */
  #ids: Float64Array;
  readonly #rows = new Map<number, number>();
  #size = 0;

  constructor(dimensions: number, options: { readonly capacity?: number } = {}) {
    if (!Number.isSafeInteger(dimensions) || dimensions < 1) throw new Error(`not a vector dimension: ${dimensions}`);
    this.dimensions = dimensions;
    this.#stride = Math.ceil(dimensions / KERNEL_ROW_MULTIPLE) * KERNEL_ROW_MULTIPLE;
    const capacity = Math.max(1, options.capacity ?? 1_024);
    const { memory, scores } = dotScoresKernel(pagesFor(this.#bytesFor(capacity)), MAX_PAGES);
    this.#memory = memory;
    this.#kernel = scores;
    this.#ids = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Adds a row, or replaces the row of the same id; `vector` is copied and scaled to unit length
   * (a zero vector stays zero and scores 0 against anything). Ids are the caller's (a store's
   * rowids), kept as given.
   */
  set(id: number, vector: ArrayLike<number>): void {
    if (vector.length !== this.dimensions) throw new Error(`a vector of ${vector.length} dimensions in a matrix of ${this.dimensions}`);
    this.#write(id, (row) => {
      for (let j = 0; j < this.dimensions; j++) row[j] = vector[j] ?? 0;
    });
  }

  /** Like `set`, from float32 bytes in the machine's order as sqlite-vec stores them, copied without a detour through numbers. */
  setFloat32Bytes(id: number, bytes: Uint8Array): void {
    if (bytes.byteLength !== this.dimensions * 4)
      throw new Error(`a vector of ${bytes.byteLength} bytes in a matrix of ${this.dimensions} dimensions`);
    this.#write(id, (row) => new Uint8Array(row.buffer, row.byteOffset, row.byteLength).set(bytes));
  }

  /** Removes the row of `id`, if there is one: the last row takes its place. */
  remove(id: number): void {
    const r = this.#rows.get(id);
    if (r === undefined) return;
    this.#rows.delete(id);
    const last = this.#size - 1;
    if (r !== last) {
      const floats = new Float32Array(this.#memory.buffer);
      const from = this.#rowOffset(last) / 4;
      floats.copyWithin(this.#rowOffset(r) / 4, from, from + this.#stride);
      const moved = this.#ids[last]!;
      this.#ids[r] = moved;
      this.#rows.set(moved, r);
    }
    this.#size = last;
  }

  #write(id: number, fill: (row: Float32Array) => void): void {
    let r = this.#rows.get(id);
    if (r === undefined) {
      r = this.#size;
      this.#reserve(r + 1);
      this.#ids[r] = id;
      this.#rows.set(id, r);
      this.#size++;
    }
    const padded = new Float32Array(this.#memory.buffer, this.#rowOffset(r), this.#stride);
    // A query's scores may have been written here before the row was: the padding must be zero.
    padded.fill(0, this.dimensions);
    const row = padded.subarray(0, this.dimensions);
    fill(row);
    const scale = inverseLength(row);
    if (scale !== 1) for (let j = 0; j < row.length; j++) row[j] = row[j]! * scale;
  }

  /**
   * The `k` rows most similar to `query` (of the matrix's dimension; its scale does not matter),
   * best first, ties by id. `accept` filters rows; it is asked only about rows good enough to
   * enter the best `k`, so a costly test is cheap.
   */
  nearest(query: ArrayLike<number>, k: number, accept?: (id: number) => boolean): MatrixHit[] {
    if (query.length !== this.dimensions) throw new Error(`a query of ${query.length} dimensions in a matrix of ${this.dimensions}`);
    const limit = Math.min(Math.floor(k), this.#size);
    if (!(limit >= 1)) return [];
    const scoresOffset = this.#rowOffset(this.#size);
    this.#ensureBytes(scoresOffset + this.#size * 4, false);
    const buffer = this.#memory.buffer;
    const q = new Float32Array(buffer, 0, this.#stride);
    const scale = inverseLength(query);
    for (let j = 0; j < this.dimensions; j++) q[j] = (query[j] ?? 0) * scale;
    this.#kernel(this.#rowOffset(0), this.#size, this.#stride * 4, 0, scoresOffset);
    const scores = new Float32Array(buffer, scoresOffset, this.#size);
    return this.#best(scores, limit, accept);
  }

  #best(scores: Float32Array, k: number, accept: ((id: number) => boolean) | undefined): MatrixHit[] {
    const ids = this.#ids;
    // A min-heap of the best k so far: its root is the one to beat.
    const heapScores = new Float64Array(k);
    const heapIds = new Float64Array(k);
    let filled = 0;
    const worse = (sa: number, ia: number, sb: number, ib: number) => sa < sb || (sa === sb && ia > ib);
    const worseAt = (a: number, b: number) => worse(heapScores[a]!, heapIds[a]!, heapScores[b]!, heapIds[b]!);
    const swap = (a: number, b: number) => {
      [heapScores[a], heapScores[b]] = [heapScores[b]!, heapScores[a]!];
      [heapIds[a], heapIds[b]] = [heapIds[b]!, heapIds[a]!];
    };
    const siftDown = (from: number) => {
      let i = from;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= filled) return;
        const right = left + 1;
        let child = left;
        if (right < filled && worseAt(right, left)) child = right;
        if (!worseAt(child, i)) return;
        swap(i, child);
        i = child;
      }
    };
    for (let r = 0; r < scores.length; r++) {
      const score = scores[r]!;
      const id = ids[r]!;
      if (filled === k && !worse(heapScores[0]!, heapIds[0]!, score, id)) continue;
      if (accept !== undefined && !accept(id)) continue;
      if (filled < k) {
        // Appended, then moved up to its place.
        let i = filled++;
        heapScores[i] = score;
        heapIds[i] = id;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          if (!worseAt(i, parent)) break;
          swap(i, parent);
          i = parent;
        }
      } else {
        heapScores[0] = score;
        heapIds[0] = id;
        siftDown(0);
      }
    }
    const hits: MatrixHit[] = [];
    for (let i = 0; i < filled; i++) hits.push({ id: heapIds[i]!, score: heapScores[i]! });
    return hits.sort((a, b) => b.score - a.score || a.id - b.id);
  }

  /** Byte offset of row `r`; the query takes the first row's place, the rows follow it. */
  #rowOffset(r: number): number {
    return (r + 1) * this.#stride * 4;
  }

  #bytesFor(rows: number): number {
    return this.#rowOffset(rows) + rows * 4;
  }

  #reserve(rows: number): void {
    if (rows > this.#ids.length) {
      const ids = new Float64Array(Math.max(rows, this.#ids.length * 2));
      ids.set(this.#ids);
      this.#ids = ids;
    }
    this.#ensureBytes(this.#rowOffset(rows), true);
  }

  /** Growing by doubling makes appending row after row cost a handful of copies; a query's scores need only what they take. */
  #ensureBytes(bytes: number, doubling: boolean): void {
    const have = this.#memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.min(MAX_PAGES, Math.max(pagesFor(bytes), doubling ? 2 * (have / PAGE_BYTES) : 0));
    if (pages * PAGE_BYTES < bytes) throw new RangeError(`a vector matrix past ${MAX_PAGES * PAGE_BYTES} bytes`);
    this.#memory.grow(pages - have / PAGE_BYTES);
  }
}

function pagesFor(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / PAGE_BYTES));
}

function inverseLength(vector: ArrayLike<number>): number {
  let sum = 0;
  for (let j = 0; j < vector.length; j++) {
    const x = vector[j] ?? 0;
    sum += x * x;
  }
  return sum > 0 ? 1 / Math.sqrt(sum) : 0;
}
