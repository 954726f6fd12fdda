/**
 * Maximal marginal relevance (Carbonell & Goldstein, 1998): picks, one at a time, the candidate with the
 * best `lambda * relevance - (1 - lambda) * max similarity to those already picked`. Relevance is the
 * model score min-max scaled over the shortlist, so both terms live in comparable ranges. `lambda = 1`
 * keeps the score order. Runs over a shortlist only: O(n * k) similarities, each computed once per pick.
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
  const rel = candidates.map((c) => (c.score - lo) / span);
  const maxSim = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const picked = new Uint8Array(n);
  const out: T[] = [];
  for (let step = 0; step < take; step++) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (picked[i]) continue;
      const penalty = step === 0 ? 0 : maxSim[i]!;
      const value = lambda * rel[i]! - (1 - lambda) * penalty;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    picked[best] = 1;
    const chosen = candidates[best]!;
    out.push(chosen);
    for (let i = 0; i < n; i++) {
      if (picked[i]) continue;
      const s = similarity(candidates[i]!.index, chosen.index);
      if (s > maxSim[i]!) maxSim[i] = s;
    }
  }
  return out;
}
