/**
 * The arithmetic of attention profiles, kept additive so the database only ever sees `$inc`.
 *
 * Exponential decay without rewriting: an engaged duration d at time t is stored as
 * d · 2^((t − T0)/h) for a fixed epoch T0 and half-life h. The decayed score at time `now` is the sum
 * times 2^(−(now − T0)/h); shares between categories do not even need that factor, it cancels out.
 * (2^x stays finite for ~140 years after T0 with a 7-day half-life.)
 */

import { HOURS_PER_WEEK } from '@attention-mesh/platform';

export const DECAY_EPOCH = Date.UTC(2020, 0, 1);
const DAY = 86_400_000;

export function decayWeight(at: number, halfLifeDays: number): number {
  return 2 ** ((at - DECAY_EPOCH) / (halfLifeDays * DAY));
}

/** The decayed value today of sums stored with `decayWeight`. */
export function decayedValue(stored: number, now: number, halfLifeDays: number): number {
  return stored / decayWeight(now, halfLifeDays);
}

/** Category shares (summing to 1), largest first. */
export function categoryShares(
  stored: Record<string, number> | undefined,
): { category: string; share: number }[] {
  const entries = Object.entries(stored ?? {}).filter(([, v]) => v > 0);
  const total = entries.reduce((n, [, v]) => n + v, 0);
  if (total <= 0) return [];
  return entries.map(([category, v]) => ({ category, share: v / total })).sort((a, b) => b.share - a.share);
}

/**
 * Engaged time per item, binned for the median: bucket 0 holds (0, 1) s, bucket k holds [2^(k−1), 2^k) s,
 * the last bucket everything from 2^(SPAN_BUCKETS−2) s up.
 */
export const SPAN_BUCKETS = 12;

export function spanBucket(engagedMs: number): number {
  const s = engagedMs / 1000;
  if (s < 1) return 0;
  return Math.min(SPAN_BUCKETS - 1, Math.floor(Math.log2(s)) + 1);
}

/** The `$inc` that moves one item's engaged time from `before` to `after` in the histogram. */
export function spanMove(beforeMs: number, afterMs: number): Record<string, number> {
  const inc: Record<string, number> = {};
  if (beforeMs > 0) inc[String(spanBucket(beforeMs))] = -1;
  if (afterMs > 0) {
    const k = String(spanBucket(afterMs));
    inc[k] = (inc[k] ?? 0) + 1;
    if (inc[k] === 0) delete inc[k];
  }
  return inc;
}

/** The median engaged seconds per item from the histogram (interpolated inside the median's bucket). */
export function medianSpanSeconds(histogram: Record<string, number> | undefined): number | null {
  const counts = Array.from({ length: SPAN_BUCKETS }, (_, k) => Math.max(0, histogram?.[String(k)] ?? 0));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let k = 0; k < SPAN_BUCKETS; k++) {
    const c = counts[k]!;
    if (seen + c >= total / 2) {
      const lo = k === 0 ? 0 : 2 ** (k - 1);
      const hi = k === 0 ? 1 : 2 ** k;
      return lo + ((total / 2 - seen) / c) * (hi - lo);
    }
    seen += c;
  }
  return null;
}

/**
 * The values of a week-hour histogram (keyed by `utcHourOfWeek`), normalised to shares of the total
 * (all zero when empty).
 */
export function weekCurve(stored: Record<string, number> | undefined): number[] {
  const values = Array.from({ length: HOURS_PER_WEEK }, (_, h) => Math.max(0, stored?.[String(h)] ?? 0));
  const total = values.reduce((a, b) => a + b, 0);
  return total > 0 ? values.map((v) => v / total) : values;
}
