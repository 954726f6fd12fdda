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
  const value = relevance(candidates, lambda);
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
 * `mmr` with cosine similarity over unit rows (`rows`, `dim` values per model index), as served. Same
 * picks as `mmr` with `UnitEmbeddings.cosine`, for less work:
 * - the candidates' rows are first copied next to each other (one small contiguous block, 100 x 50
 *   floats for the shortlist, instead of reads scattered over the whole table);
 * - similarities are computed lazily: once every candidate has been compared with the first pick, its
 *   MMR value only falls as picks are added, so its last computed value bounds it from above, and only the candidate with the best bound is brought up to
 *   date (against the picks made since), until the best bound is a current value. Most candidates
 *   never reach the top again and are never compared with later picks. Max is order-free and ties go to
 *   the earlier candidate as in `mmr`, so the picks are the same.
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
  const value = relevance(candidates, lambda);
  // bound[i]: the MMR value of i against the first seen[i] picks (the true value once seen[i] = picks).
  const bound = Float64Array.from(value);
  const maxSim = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const seen = new Int32Array(n);
  const picked = new Uint8Array(n);
  const picks = new Int32Array(take);
  const out: T[] = [];
  for (let step = 0; step < take; step++) {
    for (;;) {
      let best = -1;
      let bestBound = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        if (!picked[i] && bound[i]! > bestBound) {
          bestBound = bound[i]!;
          best = i;
        }
      }
      if (seen[best] === step) {
        picked[best] = 1;
        picks[step] = best;
        out.push(candidates[best]!);
        // After the first pick every value is brought up to date at once: the first similarity may be
        // negative and raise a value above its relevance, so only from here on do values only fall.
        if (step === 0) {
          for (let i = 0; i < n; i++) {
            if (picked[i]) continue;
            const oi = i * dim;
            const ob = best * dim;
            let s = 0;
            for (let c = 0; c < dim; c++) s += block[oi + c]! * block[ob + c]!;
            maxSim[i] = s;
            seen[i] = 1;
            bound[i] = value[i]! - (1 - lambda) * s;
          }
        }
        break;
      }
      const oi = best * dim;
      let m = maxSim[best]!;
      for (let p = seen[best]!; p < step; p++) {
        const ob = picks[p]! * dim;
        let s = 0;
        for (let c = 0; c < dim; c++) s += block[oi + c]! * block[ob + c]!;
        if (s > m) m = s;
      }
      maxSim[best] = m;
      seen[best] = step;
      bound[best] = value[best]! - (1 - lambda) * m;
    }
  }
  return out;
}

/** `lambda` x each candidate's score min-max scaled over the shortlist (the relevance term of MMR). */
function relevance(candidates: readonly { score: number }[], lambda: number): Float64Array {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const c of candidates) {
    lo = Math.min(lo, c.score);
    hi = Math.max(hi, c.score);
  }
  const span = hi - lo || 1;
  return Float64Array.from(candidates, (c) => (lambda * (c.score - lo)) / span);
}
