import { type Caller, checkFirst, requireSelf } from '@attention-mesh/platform';
import type { AdsRuntime } from '../runtime.js';
import { MAX_CAP_WINDOW_S } from './exposures.js';

/** The most campaigns `User.adExposure` lists. */
export const MAX_EXPOSURES = 100;

/**
 * A user's impressions per campaign within the longest frequency-cap window, latest first, the first
 * `first` (1-100) campaigns: their own only.
 */
export async function userExposure(runtime: AdsRuntime, caller: Caller, userId: string, first = 50) {
  requireSelf(caller, userId, 'User.adExposure');
  checkFirst(first, MAX_EXPOSURES);
  const since = Date.now() - MAX_CAP_WINDOW_S * 1000;
  const byCampaign = new Map<string, { campaignId: string; impressions: number; lastAt: number }>();
  for (const e of await runtime.ads.exposures.get(userId)) {
    if (e.at <= since) continue;
    const cur = byCampaign.get(e.campaignId) ?? { campaignId: e.campaignId, impressions: 0, lastAt: 0 };
    cur.impressions += 1;
    cur.lastAt = Math.max(cur.lastAt, e.at);
    byCampaign.set(e.campaignId, cur);
  }
  return [...byCampaign.values()].sort((a, b) => b.lastAt - a.lastAt).slice(0, first);
}
