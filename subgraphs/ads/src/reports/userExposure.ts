import { type Caller, requireSelf } from '@attention-mesh/platform';
import type { AdsRuntime } from '../runtime.js';
import { MAX_CAP_WINDOW_S } from './exposures.js';

/** A user's impressions per campaign within the longest frequency-cap window, latest first: their own only. */
export async function userExposure(runtime: AdsRuntime, caller: Caller, userId: string) {
  requireSelf(caller, userId, 'User.adExposure');
  const since = Date.now() - MAX_CAP_WINDOW_S * 1000;
  const byCampaign = new Map<string, { campaignId: string; impressions: number; lastAt: number }>();
  for (const e of await runtime.ads.exposures.get(userId)) {
    if (e.at <= since) continue;
    const cur = byCampaign.get(e.campaignId) ?? { campaignId: e.campaignId, impressions: 0, lastAt: 0 };
    cur.impressions += 1;
    cur.lastAt = Math.max(cur.lastAt, e.at);
    byCampaign.set(e.campaignId, cur);
  }
  return [...byCampaign.values()].sort((a, b) => b.lastAt - a.lastAt);
}
