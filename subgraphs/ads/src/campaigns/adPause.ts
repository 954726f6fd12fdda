import { badUserInput, type CatalogEvent, insertNew, requireAdvertiser } from '@attention-mesh/platform';
import type { AdDoc } from '../models/index.js';
import type { AdsRuntime } from '../runtime.js';
import { type CampaignDeps, must } from './deps.js';
import { touchCampaign } from './touchCampaign.js';

/**
 * The pause fields an advertiser's status change sets (updateAd): PAUSED by the advertiser, ACTIVE a
 * resume (as resumeAd). Nothing for other changes. Pure.
 */
export function pauseFields(current: AdDoc, status: AdDoc['status'] | null | undefined, now = Date.now()) {
  if (!status || status === current.status) return {};
  if (status === 'PAUSED') return { pausedReason: 'ADVERTISER' as const, pausedAt: now };
  if (status === 'ACTIVE') return { pausedReason: null, pausedAt: null, resumedAt: now };
  return { pausedReason: null, pausedAt: null };
}

/**
 * `ad.flagged`: pauses the ad (PAUSED, reason COMPLAINTS) so requestAds no longer serves it. Only an
 * ACTIVE ad (one its advertiser paused or archived stays as it is), and not for a flag from before the
 * ad's last resume (an old crossing delivered again). Idempotent by event id, and the write itself is
 * conditional on the ad being ACTIVE, so a redelivery changes nothing.
 */
export async function applyAdFlagged(runtime: AdsRuntime, event: CatalogEvent<'ad.flagged'>): Promise<void> {
  const seenKey = `flag:${event.id}`;
  if (await runtime.Seen.findById(seenKey).lean()) return;
  const { adId, flaggedAt } = event.data;
  const ad = await runtime.Ad.findById(adId).lean<AdDoc>();
  const stale = ad?.resumedAt != null && flaggedAt <= ad.resumedAt;
  if (ad && ad.status === 'ACTIVE' && !stale) {
    await runtime.Ad.updateOne(
      { _id: adId, status: 'ACTIVE' },
      { $set: { status: 'PAUSED', pausedReason: 'COMPLAINTS', pausedAt: flaggedAt } },
    );
    await touchCampaign({ runtime }, ad.campaignId);
  }
  await insertNew(runtime.Seen, [{ _id: seenKey }]);
}

/** resumeAd: a member of the ad's advertiser (or an admin) serves a paused ad again. */
export async function resumeAd(deps: CampaignDeps, id: string): Promise<AdDoc> {
  const current = await must(deps.loaders.ad, 'Ad', id);
  const campaign = await deps.loaders.campaign.load(current.campaignId);
  requireAdvertiser(deps.caller, campaign?.advertiserId);
  if (current.status === 'ARCHIVED') throw badUserInput('an archived ad cannot be resumed', 'id');
  if (current.status === 'ACTIVE') return current;
  const set = { status: 'ACTIVE' as const, ...pauseFields(current, 'ACTIVE') };
  await deps.runtime.Ad.updateOne({ _id: id }, { $set: set });
  await touchCampaign(deps, current.campaignId);
  return { ...current, ...set };
}
