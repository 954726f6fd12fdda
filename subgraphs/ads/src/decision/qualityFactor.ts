/**
 * The quality factor that multiplies an ad's eCPM for ranking: a penalty for complaints and the
 * placement's measured attention.
 */
export interface QualityOptions {
  /** Penalty `exp(−complaintWeight × complaintRate)`: with 50, a 1 % complaint rate keeps 61 %. Default 50. */
  complaintWeight?: number;
  /** Lowest complaint penalty (an ad is never ranked to zero by it alone). Default 0.05. */
  minComplaintFactor?: number;
  /** The placement factor is `1 + attentionWeight × (score − 0.5)` (0.8..1.2 with 0.4). Default 0.4. */
  attentionWeight?: number;
}

export function complaintFactor(complaintRate: number | undefined, opts: QualityOptions = {}): number {
  if (!complaintRate || complaintRate <= 0) return 1;
  return Math.max(opts.minComplaintFactor ?? 0.05, Math.exp(-(opts.complaintWeight ?? 50) * complaintRate));
}

export function placementAttentionFactor(score: number | undefined, opts: QualityOptions = {}): number {
  if (score === undefined || !Number.isFinite(score)) return 1;
  const s = Math.min(1, Math.max(0, score));
  return 1 + (opts.attentionWeight ?? 0.4) * (s - 0.5);
}

export function qualityFactor(
  complaintRate: number | undefined,
  placementAttentionScore: number | undefined,
  opts: QualityOptions = {},
): number {
  return complaintFactor(complaintRate, opts) * placementAttentionFactor(placementAttentionScore, opts);
}
