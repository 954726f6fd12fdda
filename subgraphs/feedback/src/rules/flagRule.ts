/** When an ad's complaints flag it. Pure. */

export interface FlagSettings {
  /** The complaint rate (complaints / impressions) an ad must pass, e.g. 0.02. */
  threshold: number;
  /** Impressions an ad needs before its rate is judged, e.g. 200. */
  minImpressions: number;
}

export interface AdCounts {
  complaints: number;
  impressions: number;
}

/** complaints / impressions; null without impressions. */
export function complaintRate(c: AdCounts): number | null {
  return c.impressions > 0 ? c.complaints / c.impressions : null;
}

/** Whether the counts are over the line: enough impressions and a rate strictly above the threshold. */
export function isOverThreshold(c: AdCounts, s: FlagSettings): boolean {
  const rate = complaintRate(c);
  return c.impressions >= s.minImpressions && rate !== null && rate > s.threshold;
}

/**
 * What a change of an ad's counts does to its flag. `FLAG` on a crossing (over the line now, not
 * flagged yet): publish `ad.flagged` once. `CLEAR` when a flagged ad's rate has fallen back to or under
 * the threshold (more impressions): the flag re-arms, so a later crossing flags it again. Else nothing.
 */
export function flagTransition(c: AdCounts, flagged: boolean, s: FlagSettings): 'FLAG' | 'CLEAR' | null {
  const over = isOverThreshold(c, s);
  if (over && !flagged) return 'FLAG';
  if (!over && flagged) return 'CLEAR';
  return null;
}
