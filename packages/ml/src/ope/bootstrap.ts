import { createRng } from '../core/random.js';
import type { Estimate, OpeUnit } from './estimators.js';

export interface BootstrapOptions {
  /** Resamples. Default 200. */
  reps?: number;
  level?: number;
  seed?: number;
}

/**
 * A percentile bootstrap interval of `estimator` over units drawn with replacement (a check of the
 * delta-method interval where weights are heavy-tailed). Returns the estimate on all units with the
 * bootstrap's interval and standard deviation as `se`.
 */
export function bootstrap(
  units: readonly OpeUnit[],
  estimator: (units: readonly OpeUnit[]) => Estimate,
  options: BootstrapOptions = {},
): Estimate {
  const reps = options.reps ?? 200;
  const level = options.level ?? 0.95;
  const rng = createRng(options.seed ?? 1);
  const full = estimator(units);
  const n = units.length;
  const values: number[] = [];
  const sample: OpeUnit[] = new Array(n);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) sample[i] = units[rng.int(n)]!;
    const v = estimator(sample).value;
    if (Number.isFinite(v)) values.push(v);
  }
  if (values.length < 2) return { ...full, se: Number.NaN, lower: Number.NaN, upper: Number.NaN };
  values.sort((a, b) => a - b);
  const q = (p: number) => values[Math.min(values.length - 1, Math.max(0, Math.floor(p * values.length)))]!;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const se = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
  return { value: full.value, se, lower: q((1 - level) / 2), upper: q(1 - (1 - level) / 2), n };
}
