import { clamp } from './clip.js';
import { discreteLaplace } from './discreteLaplace.js';

/** How a set of measures of groups is released to a partner. */
export interface ReleasePolicy {
  /** ε of the whole query, split evenly across the measures it releases. */
  epsilon: number;
  /** Per measure: the most one privacy unit contributes to the whole query (its L1 sensitivity). */
  bounds: Readonly<Record<string, number>>;
  /** Groups with fewer contributing users than this are suppressed. */
  minUsers: number;
}

/** One group as stored: its clipped sums and how many users contributed (a conservative count). */
export interface GroupSums {
  key: string;
  users: number;
  /** One entry per point of the group (a series' buckets; one for a breakdown row). */
  points: ReadonlyArray<Readonly<Record<string, number>>>;
}

export interface ReleasedGroup {
  key: string;
  /** True when the group had fewer than `minUsers` users: no figure of it is released. */
  suppressed: boolean;
  /** Noised, non-negative integer sums per point; null when suppressed. */
  points: Array<Record<string, number>> | null;
}

/**
 * Noises the measures of every point of every group with a discrete Laplace of scale Δ/(ε/m), m the
 * number of measures: the bound holds for one unit across all points and groups together, so the
 * whole answer is ε-differentially private (sequential composition over the measures). Suppressed groups
 * are dropped before any noise is drawn, since their figures are not released. Negative draws are
 * clamped to 0 (post-processing keeps the guarantee). Pure but for the random draws.
 */
export function release(
  groups: readonly GroupSums[],
  measures: readonly string[],
  policy: ReleasePolicy,
  noise: (epsilon: number, sensitivity: number) => number = discreteLaplace,
): ReleasedGroup[] {
  const unique = [...new Set(measures)];
  if (unique.length === 0) throw new RangeError('release needs at least one measure');
  const share = policy.epsilon / unique.length;
  return groups.map((g) => {
    if (g.users < policy.minUsers) return { key: g.key, suppressed: true, points: null };
    const points = g.points.map((p) => {
      const out: Record<string, number> = {};
      for (const m of unique) {
        const bound = policy.bounds[m];
        if (!(bound && bound > 0)) throw new RangeError(`no contribution bound for measure ${m}`);
        out[m] = Math.max(0, Math.round(p[m] ?? 0) + noise(share, bound));
      }
      return out;
    });
    return { key: g.key, suppressed: false, points };
  });
}

/**
 * A ratio (CTR, viewability) from a noised numerator and denominator, clamped to [min, max]: noise can
 * make the numerator exceed the denominator; an empty denominator gives 0.
 */
export function noisedRatio(numerator: number, denominator: number, min = 0, max = 1): number {
  if (denominator <= 0) return 0;
  return clamp(numerator / denominator, min, max);
}
