import type { AdStats } from './types.js';

/**
 * The Beta-Binomial blend of a model's pCTR with an ad's observed clicks and impressions: the model's
 * pCTR is a Beta prior worth `strength` pseudo-impressions, so a new ad starts at the model and an ad
 * with many impressions ends at its own click rate.
 */
export interface CtrPosterior {
  alpha: number;
  beta: number;
  mean: number;
  /** Standard deviation of the posterior. */
  sd: number;
}

/** Keeps priors strictly inside (0, 1) so Beta parameters stay positive. */
const EPS = 1e-6;

export function ctrPosterior(priorCtr: number, stats: AdStats | undefined, strength: number): CtrPosterior {
  const p = Math.min(1 - EPS, Math.max(EPS, Number.isFinite(priorCtr) ? priorCtr : EPS));
  const impressions = Math.max(0, stats?.impressions ?? 0);
  const clicks = Math.min(impressions, Math.max(0, stats?.clicks ?? 0));
  const alpha = p * strength + clicks;
  const beta = (1 - p) * strength + (impressions - clicks);
  const n = alpha + beta;
  const mean = alpha / n;
  return { alpha, beta, mean, sd: Math.sqrt((mean * (1 - mean)) / (n + 1)) };
}
