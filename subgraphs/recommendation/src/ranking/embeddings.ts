/** Item embeddings as unit rows, so a dot product is the cosine similarity. */
export class UnitEmbeddings {
  readonly rows: Float32Array;

  constructor(
    raw: Float32Array,
    readonly count: number,
    readonly dim: number,
  ) {
    if (raw.length !== count * dim) {
      throw new Error(`embeddings hold ${raw.length} values, expected ${count} x ${dim}`);
    }
    this.rows = new Float32Array(raw.length);
    for (let r = 0; r < count; r++) {
      let norm = 0;
      for (let c = 0; c < dim; c++) norm += raw[r * dim + c]! ** 2;
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let c = 0; c < dim; c++) this.rows[r * dim + c] = raw[r * dim + c]! * inv;
    }
  }

  cosine(a: number, b: number): number {
    const { rows, dim } = this;
    let s = 0;
    const oa = a * dim;
    const ob = b * dim;
    for (let c = 0; c < dim; c++) s += rows[oa + c]! * rows[ob + c]!;
    return s;
  }

  /** Cosine of row `of` with every row (one pass over the matrix). */
  cosineToAll(of: number): Float32Array {
    const { rows, dim, count } = this;
    const out = new Float32Array(count);
    const o = of * dim;
    for (let r = 0; r < count; r++) {
      let s = 0;
      const base = r * dim;
      for (let c = 0; c < dim; c++) s += rows[base + c]! * rows[o + c]!;
      out[r] = s;
    }
    return out;
  }
}
