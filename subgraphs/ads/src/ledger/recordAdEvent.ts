import {
  type AdEventData,
  addAdSpend,
  badUserInput,
  type EventBus,
  MAX_EVENT_AGE_MS,
  MAX_EVENT_FUTURE_MS,
  meshEvent,
} from '@attention-mesh/platform';
import type { AdEventDoc, AdEventType } from '../models/index.js';
import { hourStartOf, rollupId, rollupUpdate } from '../reports/delivery.js';
import { isUserGroupKey, userGroupUpdates } from '../reports/userGroups.js';
import type { AdsRuntime } from '../runtime.js';
import { verifyAdToken } from './adTokens.js';
import { spendDayId, spendTotalId } from './spendIds.js';

export interface RecordAdEventInput {
  token: string;
  type?: AdEventType | null;
  occurredAt?: number | null;
  viewable?: boolean | null;
}

/**
 * Records one event of a decision from its signed token. The event is inserted under the id
 * `<decision>|<type>` before anything is charged, so a replay (even a parallel one) finds the stored
 * event and charges nothing: it answers the stored result with `duplicate: true`.
 */
export async function recordAdEvent(
  models: AdsRuntime,
  input: RecordAdEventInput,
  events?: EventBus,
  now = Date.now(),
): Promise<{ event: AdEventDoc; duplicate: boolean }> {
  const rt = models.ads;
  const claims = verifyAdToken(input.token, rt.config.ads.tokenSecret, now);
  const type = input.type ?? claims.t;
  const allowed = claims.t === 'IMPRESSION' ? ['IMPRESSION'] : ['CLICK', 'CONVERSION'];
  if (!allowed.includes(type))
    throw badUserInput(`a ${claims.t.toLowerCase()} token records ${allowed.join(' or ')}`, 'input.type');
  const occurredAt = input.occurredAt ?? now;
  if (
    occurredAt < Math.max(claims.iat - MAX_EVENT_FUTURE_MS, now - MAX_EVENT_AGE_MS) ||
    occurredAt > now + MAX_EVENT_FUTURE_MS
  )
    throw badUserInput('occurredAt must lie between the decision and now', 'input.occurredAt');
  // Only the event the campaign pays for is charged (CPM: the impression, CPC: the click).
  const chargedMicros = type === claims.t ? claims.ch : 0;
  const doc: AdEventDoc = {
    _id: `${claims.d}|${type}`,
    decisionId: claims.d,
    type,
    adId: claims.ad,
    campaignId: claims.cmp,
    placementId: claims.plc,
    // A token issued before its user was erased is still charged (accounting), but no longer theirs.
    userId: claims.usr != null && (await models.tombstones.isErased(claims.usr)) ? null : claims.usr,
    chargedMicros,
    viewable: type === 'IMPRESSION' && input.viewable === true,
    occurredAt,
    recordedAt: now,
  };
  try {
    await models.AdEvent.create(doc);
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    const stored = await models.AdEvent.findById(doc._id).lean<AdEventDoc>();
    if (!stored) throw err;
    return { event: stored, duplicate: true };
  }

  await rt.ready();
  const campaign = rt.catalog.index.get(doc.campaignId);
  const tz = campaign?.timezone ?? 'UTC';
  const day = rt.days.dayOf(tz, now).key;
  if (chargedMicros > 0) rt.book.charge(doc.campaignId, doc.decisionId, chargedMicros, day);
  addAdSpend(chargedMicros);
  const hour = hourStartOf(occurredAt);
  const writes: Promise<unknown>[] = [
    rt.rollups.add([
      [
        rollupId(doc.campaignId, hour),
        rollupUpdate(doc.campaignId, hour, {
          impressions: type === 'IMPRESSION' ? 1 : 0,
          viewableImpressions: doc.viewable ? 1 : 0,
          clicks: type === 'CLICK' ? 1 : 0,
          conversions: type === 'CONVERSION' ? 1 : 0,
          spendMicros: chargedMicros,
        }),
      ],
    ]),
  ];
  if (chargedMicros > 0) {
    const setOnInsert = { $setOnInsert: { campaignId: doc.campaignId } };
    writes.push(
      rt.spend.add([
        [spendTotalId(doc.campaignId), { $inc: { spentMicros: chargedMicros }, ...setOnInsert }],
        [spendDayId(doc.campaignId, day), { $inc: { spentMicros: chargedMicros }, ...setOnInsert }],
      ]),
    );
  }
  const groups = Array.isArray(claims.grp) ? claims.grp.filter(isUserGroupKey) : [];
  if (type !== 'CONVERSION' && groups.length > 0) {
    const inc = type === 'IMPRESSION' ? { impressions: 1 } : { clicks: 1 };
    writes.push(rt.userGroups.add(userGroupUpdates(groups, hour, inc)));
  }
  if (type !== 'CONVERSION') {
    writes.push(rt.adStats.add(doc.adId, type === 'IMPRESSION' ? { impressions: 1 } : { clicks: 1 }));
  }
  if (type === 'IMPRESSION' && doc.userId) {
    writes.push(rt.exposures.add(doc.userId, { adId: doc.adId, campaignId: doc.campaignId, at: occurredAt }));
  }
  await Promise.all(writes);
  if (type !== 'CONVERSION' && events) {
    const data: AdEventData = {
      decisionId: doc.decisionId,
      adId: doc.adId,
      campaignId: doc.campaignId,
      placementId: doc.placementId,
      chargedMicros,
      viewable: doc.viewable,
    };
    await events.publish([
      meshEvent(
        type === 'IMPRESSION' ? 'ad.impression' : 'ad.click',
        { __typename: 'Ad', id: doc.adId },
        data,
        {
          occurredAt,
          ...(doc.userId ? { userId: doc.userId } : {}),
        },
      ),
    ]);
  }
  return { event: doc, duplicate: false };
}
