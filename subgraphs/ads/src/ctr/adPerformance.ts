import { ecpmOf } from '../decision/clearingPrice.js';
import { ctrPosterior } from '../decision/ctrPosterior.js';
import { complaintFactor, type QualityOptions } from '../decision/qualityFactor.js';
import type { AdStats } from '../reports/snapshots.js';

/** The Beta prior's weight in pseudo-impressions: decide()'s default `priorStrength`. */
export const PRIOR_STRENGTH = 200;

/** `Ad.performance`: what the ads subgraph has observed of an ad and what the auction makes of it. */
export interface AdPerformance {
  impressions: number;
  clicks: number;
  complaints: number;
  /** clicks / impressions; null before any impression. */
  observedCtr: number | null;
  /** The prior the estimate starts from (the ad's context-free pCTR). */
  priorCtr: number;
  /** The Beta-Binomial blend of the prior with the observed clicks and impressions (what ranks CPC bids). */
  estimatedCtr: number;
  /** complaints / impressions (at most 1); null before any impression. */
  complaintRate: number | null;
  /** The complaint penalty multiplying the ad's eCPM (1 = none). */
  complaintPenalty: number;
  /** The ad's eCPM as the auction ranks it before pacing and attention: bid × estimated CTR (CPC) × penalty. */
  rankingEcpmMicros: number;
}

/**
 * The online CTR estimate and complaint penalty of one ad, the same formulas the decision applies
 * (ctrPosterior, complaintFactor; decide.ts): every recorded impression and click (the ledger updates
 * the ad's counters in memory as it records them) and every complaint (`feedback.received`) moves them
 * at once. Pure.
 */
export function adPerformance(
  stats: AdStats,
  campaign: { bidType: 'CPM' | 'CPC'; bidMicros: number },
  priorCtr: number,
  quality: QualityOptions = {},
): AdPerformance {
  const post = ctrPosterior(priorCtr, stats, PRIOR_STRENGTH);
  const complaintRate = stats.impressions > 0 ? Math.min(1, stats.complaints / stats.impressions) : null;
  const complaintPenalty = complaintFactor(complaintRate ?? undefined, quality);
  return {
    impressions: stats.impressions,
    clicks: stats.clicks,
    complaints: stats.complaints,
    observedCtr: stats.impressions > 0 ? Math.min(1, stats.clicks / stats.impressions) : null,
    priorCtr,
    estimatedCtr: post.mean,
    complaintRate,
    complaintPenalty,
    rankingEcpmMicros: Math.round(ecpmOf(campaign.bidType, campaign.bidMicros, post.mean) * complaintPenalty),
  };
}
