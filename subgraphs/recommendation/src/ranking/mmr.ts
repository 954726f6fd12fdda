/**
 * Maximal marginal relevance (Carbonell & Goldstein, 1998): picks, one at a time, the candidate with the
 * best `lambda * relevance - (1 - lambda) * max similarity to those already picked`. Relevance is the
 * model score min-max scaled over the shortlist, so both terms live in comparable ranges. `lambda = 1`
 * keeps the score order. Runs over a shortlist only: each pick costs one similarity per remaining
 * candidate, O(n * k) in all.
 */
export function mmr<T extends { index: number; score: number }>(
  candidates: readonly T[],
  similarity: (a: number, b: number) => number,
  lambda: number,
  k: number,
): T[] {
  const n = candidates.length;
  const take = Math.min(k, n);
  if (take === 0) return [];
  if (lambda >= 1) return candidates.slice(0, take);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const c of candidates) {
    lo = Math.min(lo, c.score);
    hi = Math.max(hi, c.score);
  }
  const span = hi - lo || 1;
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) value[i] = (lambda * (candidates[i]!.score - lo)) / span;
  const maxSim = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const picked = new Uint8Array(n);
  const out: T[] = [];
  for (let step = 0; step < take; step++) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (picked[i]) continue;
      const v = step === 0 ? value[i]! : value[i]! - (1 - lambda) * maxSim[i]!;
      if (v > bestValue) {
        bestValue = v;
        best = i;
      }
    }
    picked[best] = 1;
    const chosen = candidates[best]!.index;
    out.push(candidates[best]!);
    if (step + 1 === take) break;
    for (let i = 0; i < n; i++) {
      if (picked[i]) continue;
      const s = similarity(candidates[i]!.index, chosen);
      if (s > maxSim[i]!) maxSim[i] = s;
    }
  }
  return out;
}

/**
 * `mmr` with cosine similarity over unit rows (`rows`, `dim` values per model index), as served: the
 * candidates' rows are first copied next to each other, so the similarities each pick needs are one
 * pass over a small contiguous block (100 x 50 floats for the shortlist) instead of reads scattered over
 * the whole table and a call per pair. Same result as `mmr` with `UnitEmbeddings.cosine`.
 */
export function mmrUnitRows<T extends { index: number; score: number }>(
  candidates: readonly T[],
  rows: Float32Array,
  dim: number,
  lambda: number,
  k: number,
): T[] {
  const n = candidates.length;
  const take = Math.min(k, n);
  if (take === 0) return [];
  if (lambda >= 1) return candidates.slice(0, take);
  const block = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const o = candidates[i]!.index * dim;
    block.set(rows.subarray(o, o + dim), i * dim);
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const c of candidates) {
    lo = Math.min(lo, c.score);
    hi = Math.max(hi, c.score);
  }
  const span = hi - lo || 1;
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) value[i] = (lambda * (candidates[i]!.score - lo)) / span;
  const maxSim = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const picked = new Uint8Array(n);
  const out: T[] = [];
  for (let step = 0; step < take; step++) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (picked[i]) continue;
      const v = step === 0 ? value[i]! : value[i]! - (1 - lambda) * maxSim[i]!;
      if (v > bestValue) {
        bestValue = v;
        best = i;
      }
    }
    picked[best] = 1;
    out.push(candidates[best]!);
    if (step + 1 === take) break;
    const ob = best * dim;
    for (let i = 0; i < n; i++) {
      if (picked[i]) continue;
      const oi = i * dim;
      let s = 0;
      for (let c = 0; c < dim; c++) s += block[oi + c]! * block[ob + c]!;
      if (s > maxSim[i]!) maxSim[i] = s;
    }
  }
  return out;
}
