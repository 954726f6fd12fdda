import {
  type CatalogEvent,
  type EventBus,
  insertNew,
  subscribeErasure,
  subscribeEvents,
} from '@attention-mesh/platform';
import { applyAdFlagged } from './campaigns/adPause.js';
import { eraseUserAds } from './erasure/eraseUserAds.js';
import type { AdsRuntime } from './runtime.js';

/** True the first time a signal key is seen (a stored key, so replays after a restart are skipped too). */
async function firstTime(models: AdsRuntime, key: string): Promise<boolean> {
  return (await insertNew(models.Seen, [{ _id: key }])).length === 1;
}

/**
 * Per-user hour-of-week curve for the attention multiplier, per-ad engaged time, per-placement attention.
 * An erased user's curve is not recreated (an event published before the erasure may arrive after it);
 * the per-ad and per-placement sums are aggregates and still count.
 */
export async function applyAttentionRecorded(
  models: AdsRuntime,
  event: CatalogEvent<'attention.recorded'>,
): Promise<void> {
  const { data } = event;
  const userId = event.userId ?? event.key.id;
  if (
    data.engagedMs > 0 &&
    Number.isFinite(data.lastEventAt) &&
    !(await models.tombstones.isErased(userId))
  ) {
    await models.ads.userAttention.apply(userId, event.id, data.engagedMs, data.lastEventAt);
  }
  const ads = data.targets.filter((t) => t.type === 'AD' && t.engagedMs > 0);
  const placements = data.placements.filter((p) => p.impressions > 0 || p.engagedMs > 0);
  if ((ads.length > 0 || placements.length > 0) && (await firstTime(models, `evt:${event.id}`))) {
    await Promise.all([
      ...ads.map((t) => models.ads.adStats.add(t.id, { engagedMs: t.engagedMs })),
      ...placements.map((p) =>
        models.ads.placementAttention.add(p.id, {
          impressions: p.impressions,
          viewable: p.viewable,
          engagedMs: p.engagedMs,
        }),
      ),
    ]);
  }
}

/** Complaints about ads, for the quality penalty; counted once per feedback id. */
export async function applyFeedbackReceived(
  models: AdsRuntime,
  event: CatalogEvent<'feedback.received'>,
): Promise<void> {
  const { data } = event;
  if (data.targetType !== 'AD' || data.kind !== 'COMPLAINT') return;
  if (!(await firstTime(models, `fbk:${data.feedbackId}`))) return;
  await models.ads.adStats.add(data.targetId, { complaints: 1 });
}

/**
 * Ads-personalisation consent: without it, decisions use neither segments nor the attention curve. None
 * is stored for an erased user.
 */
export async function applyConsentChanged(
  models: AdsRuntime,
  event: CatalogEvent<'user.consent.changed'>,
): Promise<void> {
  const { adsPersonalization, updatedAt } = event.data;
  const userId = event.userId ?? event.key.id;
  if (await models.tombstones.isErased(userId)) return;
  await models.ads.consents.apply(userId, { adsPersonalization }, updatedAt);
}

export function startConsumers(models: AdsRuntime, events: EventBus) {
  return [
    subscribeEvents(events, 'ads.attention', ['attention.recorded'], (e) =>
      applyAttentionRecorded(models, e),
    ),
    subscribeEvents(events, 'ads.feedback', ['feedback.received'], (e) => applyFeedbackReceived(models, e)),
    // The tombstone first, then the erasure, then `user.erasure.completed` (see subscribeErasure).
    subscribeErasure(events, 'ads', models.tombstones, (userId) => eraseUserAds(models, userId)),
    subscribeEvents(events, 'ads.consents', ['user.consent.changed'], (e) => applyConsentChanged(models, e)),
    subscribeEvents(events, 'ads.flags', ['ad.flagged'], (e) => applyAdFlagged(models, e)),
  ];
}
