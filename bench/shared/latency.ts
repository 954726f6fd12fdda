import { round } from './output.js';

/** The p-th percentile (0-100, nearest rank) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** The q-quantile (0-1, nearest rank) of values already sorted ascending. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** Count, p50/p90/p99, max and mean of latencies in ms, rounded to 0.1. */
export function latencySummary(ms: readonly number[]) {
  const mean = ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length);
  return {
    n: ms.length,
    p50: round(percentile(ms, 50)),
    p90: round(percentile(ms, 90)),
    p99: round(percentile(ms, 99)),
    max: round(Math.max(...ms)),
    mean: round(mean),
  };
}
