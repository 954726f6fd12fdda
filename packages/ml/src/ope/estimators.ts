/**
 * Off-policy estimators of a candidate policy's value (here: a click-through rate) from logged decisions.
 * A logged unit is one decision: one slot for an ad, one per position for a recommendation list. Each
 * slot carries the importance weight `w = π(a|x) / μ(a|x)` of the logged action `a` (candidate policy π
 * over logging policy μ), the observed reward, and optionally a reward model's predictions for the doubly
 * robust estimator. Every estimate is a value per slot (clicks per impression) with a normal confidence
 * interval from the unit-level variance (slots of one list are correlated, so units, not slots, are the
 * independent draws), computed as a ratio estimator with the delta method.
 */

export interface OpeSlot {
  /** π(a|x) of the logged action under the candidate policy. */
  target: number;
  /** μ(a|x) of the logged action under the logging policy, in (0, 1]. */
  propensity: number;
  /** The observed reward (1 clicked, 0 not). */
  reward: number;
  /** Σ_a π(a|x) q̂(x, a): the reward model's value of the candidate policy here (DR, DM). */
  dmTarget?: number;
  /** q̂(x, a) of the logged action (DR). */
  dmLogged?: number;
}

export interface OpeUnit {
  slots: readonly OpeSlot[];
  /**
   * Probability mass (summed over slots) the candidate policy puts where the logging policy never acts:
   * no estimator sees it, so the estimates miss its reward (they are biased toward 0 by that share).
   */
  unsupported?: number;
}

export interface EstimatorOptions {
  /** Importance weights are capped at this value (clipping: less variance, some bias). Default: none. */
  maxWeight?: number;
  /** Confidence level of the interval. Default 0.95. */
  level?: number;
}

export interface Estimate {
  value: number;
  /** Standard error (delta method over units). */
  se: number;
  lower: number;
  upper: number;
  /** Units used. */
  n: number;
}

/** The importance weight of a slot, capped at `maxWeight` when given. */
export function weightOf(s: OpeSlot, maxWeight = Number.POSITIVE_INFINITY): number {
  if (!(s.propensity > 0)) throw new Error(`propensity must be > 0, got ${s.propensity}`);
  return Math.min(s.target / s.propensity, maxWeight);
}

/** z such that P(|Z| <= z) = level, for a standard normal Z (Acklam's rational approximation). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`p must be in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

export function zOf(level = 0.95): number {
  if (!(level > 0 && level < 1)) throw new Error(`level must be in (0, 1), got ${level}`);
  return normalQuantile(0.5 + level / 2);
}

/**
 * `Σ A_i / Σ D_i` with its delta-method standard error `sqrt(Σ (A_i − V D_i)² / (n (n − 1))) / mean(D)`.
 * With one slot per unit and D_i = 1 it is the mean of A and its usual standard error.
 */
export function ratioEstimate(a: ArrayLike<number>, d: ArrayLike<number>, level = 0.95): Estimate {
  const n = a.length;
  let sa = 0;
  let sd = 0;
  for (let i = 0; i < n; i++) {
    sa += a[i]!;
    sd += d[i]!;
  }
  if (n === 0 || sd === 0)
    return { value: Number.NaN, se: Number.NaN, lower: Number.NaN, upper: Number.NaN, n };
  const value = sa / sd;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const e = a[i]! - value * d[i]!;
    ss += e * e;
  }
  const se = n > 1 ? Math.sqrt(ss / (n * (n - 1))) / (sd / n) : Number.NaN;
  const z = zOf(level);
  return { value, se, lower: value - z * se, upper: value + z * se, n };
}

function perUnit(
  units: readonly OpeUnit[],
  numerator: (s: OpeSlot, w: number) => number,
  denominator: (s: OpeSlot, w: number) => number,
  options: EstimatorOptions,
): Estimate {
  const a = new Float64Array(units.length);
  const d = new Float64Array(units.length);
  units.forEach((u, i) => {
    for (const s of u.slots) {
      const w = weightOf(s, options.maxWeight);
      a[i]! += numerator(s, w);
      d[i]! += denominator(s, w);
    }
  });
  return ratioEstimate(a, d, options.level);
}

/** Inverse propensity scoring: `Σ w r / Σ slots`. Unbiased (without clipping) when μ covers π. */
export function ips(units: readonly OpeUnit[], options: EstimatorOptions = {}): Estimate {
  return perUnit(
    units,
    (s, w) => w * s.reward,
    () => 1,
    options,
  );
}

/** Self-normalised IPS: `Σ w r / Σ w`. Slightly biased, far less variance when weights are large. */
export function snips(units: readonly OpeUnit[], options: EstimatorOptions = {}): Estimate {
  return perUnit(
    units,
    (s, w) => w * s.reward,
    (_s, w) => w,
    options,
  );
}

/**
 * Doubly robust: the reward model's value of the candidate policy corrected by the weighted residual of
 * the logged action, `Σ [q̂(π) + w (r − q̂(a))] / Σ slots`: unbiased when either the propensities or the
 * reward model are right. Slots without a reward model use 0 (then it is IPS).
 */
export function doublyRobust(units: readonly OpeUnit[], options: EstimatorOptions = {}): Estimate {
  return perUnit(
    units,
    (s, w) => (s.dmTarget ?? 0) + w * (s.reward - (s.dmLogged ?? 0)),
    () => 1,
    options,
  );
}

/** The direct method: the reward model's value of the candidate policy alone (biased as the model is). */
export function directMethod(units: readonly OpeUnit[], options: EstimatorOptions = {}): Estimate {
  return perUnit(
    units,
    (s) => s.dmTarget ?? 0,
    () => 1,
    options,
  );
}

/** The logging policy's observed value: rewards per slot. */
export function observed(units: readonly OpeUnit[], options: EstimatorOptions = {}): Estimate {
  return perUnit(
    units,
    (s) => s.reward,
    () => 1,
    options,
  );
}

/** Kish's effective sample size of the (capped) weights over slots, `(Σ w)² / Σ w²`. */
export function effectiveSampleSize(units: readonly OpeUnit[], options: EstimatorOptions = {}): number {
  let s = 0;
  let s2 = 0;
  for (const u of units)
    for (const slot of u.slots) {
      const w = weightOf(slot, options.maxWeight);
      s += w;
      s2 += w * w;
    }
  return s2 > 0 ? (s * s) / s2 : 0;
}

export const ESTIMATORS = { ips, snips, dr: doublyRobust, dm: directMethod } as const;
export type EstimatorName = keyof typeof ESTIMATORS;

export interface OpeReport {
  observed: Estimate;
  estimates: Record<EstimatorName, Estimate>;
  ess: number;
  slots: number;
  /** Mean importance weight (near 1 when μ covers π: a check of the logged propensities). */
  meanWeight: number;
  /** Largest (capped) weight. */
  maxWeight: number;
  /** Share of the candidate policy's mass the log cannot see (see `OpeUnit.unsupported`); 0 = fully covered. */
  unsupported: number;
}

/** Every estimator on the same units. */
export function evaluatePolicy(units: readonly OpeUnit[], options: EstimatorOptions = {}): OpeReport {
  let slots = 0;
  let sum = 0;
  let max = 0;
  let unsupported = 0;
  for (const u of units) {
    unsupported += u.unsupported ?? 0;
    for (const s of u.slots) {
      const w = weightOf(s, options.maxWeight);
      slots++;
      sum += w;
      max = Math.max(max, w);
    }
  }
  return {
    observed: observed(units, options),
    estimates: {
      ips: ips(units, options),
      snips: snips(units, options),
      dr: doublyRobust(units, options),
      dm: directMethod(units, options),
    },
    ess: effectiveSampleSize(units, options),
    slots,
    meanWeight: slots > 0 ? sum / slots : Number.NaN,
    maxWeight: max,
    unsupported: slots > 0 ? unsupported / slots : 0,
  };
}
