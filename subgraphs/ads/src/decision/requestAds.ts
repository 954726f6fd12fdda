import { performance } from 'node:perf_hooks';
import {
  badUserInput,
  type Caller,
  checkClientId,
  checkSlug,
  checkSlugs,
  countAdDecision,
  isCountryCode,
  MAX_EVENT_AGE_MS,
  MAX_EVENT_FUTURE_MS,
  newId,
  notFound,
  requirePartner,
  requireSelf,
} from '@attention-mesh/platform';
import { DEVICES } from '../campaigns/campaignRules.js';
import { ctrRow } from '../ctr/ctrSource.js';
import { type AdTokenClaims, signAdToken } from '../ledger/adTokens.js';
import type { DecisionDoc } from '../models/index.js';
import { hourStartOf, rollupId, rollupUpdate } from '../reports/delivery.js';
import type { Exposure } from '../reports/exposures.js';
import { userGroupKeys, userGroupUpdates } from '../reports/userGroups.js';
import type { AdsRuntime } from '../runtime.js';
import {
  type Decision,
  type DecisionPlacement,
  type DecisionRequest,
  type DecisionState,
  decide,
  type ExposureHistory,
  isRunning,
} from './index.js';

export interface RequestAdsInput {
  placementId: string;
  userId?: string | null;
  segments?: string[] | null;
  context?: {
    category?: string | null;
    device?: string | null;
    country?: string | null;
    time?: number | null;
  } | null;
}

export interface AdDecisionResult extends DecisionDoc {
  impressionToken: string | null;
  clickToken: string | null;
}

const rng = { next: Math.random };

function toHistory(entries: readonly Exposure[]): ExposureHistory {
  const h: ExposureHistory = { ads: {}, campaigns: {} };
  for (const e of entries) {
    const ad = h.ads[e.adId];
    if (ad) ad.push(e.at);
    else h.ads[e.adId] = [e.at];
    const campaign = h.campaigns[e.campaignId];
    if (campaign) campaign.push(e.at);
    else h.campaigns[e.campaignId] = [e.at];
  }
  return h;
}

/** The campaigns with an ad of the placement's size that target it, the country and device, and run at `at`. */
function consideredCampaigns(
  rt: AdsRuntime['ads'],
  placement: DecisionPlacement,
  country: string | undefined,
  device: string | undefined,
  at: number,
) {
  // The size makes it an index lookup; without one the index walks every size it knows.
  return rt.catalog.index.lookup(placement.id, country, device, placement).filter((c) => isRunning(c, at));
}

/** Checks the request; NOT_FOUND for an unknown placement, BAD_USER_INPUT naming the field otherwise. */
function checkInput(input: RequestAdsInput, now: number) {
  checkClientId(input.placementId, 'input.placementId');
  if (input.userId != null) checkClientId(input.userId, 'input.userId');
  const ctx = input.context ?? {};
  const country = ctx.country ?? undefined;
  if (country !== undefined && !isCountryCode(country))
    throw badUserInput(
      `country ${JSON.stringify(country.slice(0, 40))} must be an ISO 3166-1 alpha-2 code`,
      'input.context.country',
    );
  const device = ctx.device ?? undefined;
  if (device !== undefined && !(DEVICES as readonly string[]).includes(device))
    throw badUserInput(
      `device ${JSON.stringify(device.slice(0, 40))} must be one of ${DEVICES.join(', ')}`,
      'input.context.device',
    );
  const category =
    ctx.category == null ? undefined : checkSlug(ctx.category, 'input.context.category', 'category');
  const at = ctx.time ?? now;
  if (at < now - MAX_EVENT_AGE_MS || at > now + MAX_EVENT_FUTURE_MS)
    throw badUserInput(
      'time must be within the last 7 days and at most 5 minutes ahead',
      'input.context.time',
    );
  const segments = checkSlugs(input.segments ?? [], 'input.segments', 100, 'segment');
  return { country, device, category, at, segments };
}

/**
 * The ad decision as a mutation: checks the caller and the request, reads the user's exposures and
 * attention (cached, by exact id), asks the pCTR model once for every candidate, decides in memory,
 * reserves the charge, and stores the decision with its propensity (filled or not) before answering
 * with signed tokens (the log write shared with concurrent decisions, see `DecisionLog`). The caller must be the placement's publisher (admins: any placement) and may name
 * only the person signed in through it as `input.userId`, never an erased one (USER_ERASED); a refused
 * request decides, records and reserves nothing.
 */
export async function requestAds(
  models: AdsRuntime,
  caller: Caller,
  input: RequestAdsInput,
  now = Date.now(),
): Promise<AdDecisionResult> {
  const rt = models.ads;
  if (input.userId != null) requireSelf(caller, input.userId, 'input.userId');
  // The erasure check reads by exact id, alongside the user's exposures and consent below: one round
  // trip to the database before the decision, not two. An erased user still gets USER_ERASED first.
  const erased = models.tombstones.refuseErased(input.userId, 'input.userId');
  erased.catch(() => {});
  let checked: ReturnType<typeof checkInput>;
  try {
    checked = checkInput(input, now);
  } catch (err) {
    await erased;
    throw err;
  }
  const { country, device, category, at, segments } = checked;
  await rt.ready();
  let placement = rt.catalog.placements.get(input.placementId);
  if (!placement) {
    // Created by another replica since the last refresh?
    const doc = await models.Placement.findById(input.placementId).lean();
    if (!doc) throw notFound('Placement', input.placementId);
    rt.catalog.setPlacement(doc);
    placement = rt.catalog.placements.get(input.placementId)!;
  }
  // The owner is in the catalog with the placement: no read on the decision's path.
  requirePartner(caller, rt.catalog.publisherOf(placement.id), 'this placement');
  const userId = input.userId ?? null;
  // Frequency caps protect every user; segments and the attention curve are personalisation and need
  // the user's ads-personalisation consent.
  const [, exposures, personalised] = userId
    ? await Promise.all([erased, rt.exposures.get(userId), rt.consents.allows(userId, 'adsPersonalization')])
    : [await erased, [], false];
  const attention = userId && personalised ? await rt.userAttention.get(userId) : null;

  // Decision time (reported by benchmarks): everything in memory from here to the reservation.
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  // With a learned model, every candidate ad is scored in one call before the (synchronous) decision.
  const scores = new Map<string, number>();
  if (rt.ctr.kind !== null) {
    const rows = [];
    const ids: string[] = [];
    for (const c of consideredCampaigns(rt, placement, country, device, at)) {
      for (const ad of c.ads) {
        if (ad.status !== 'ACTIVE' || ad.width !== placement.width || ad.height !== placement.height)
          continue;
        ids.push(ad.id);
        rows.push(
          ctrRow({
            placementId: placement.id,
            adId: ad.id,
            campaignId: c.id,
            advertiserId: c.advertiserId,
            bidType: c.bidType,
            category,
            device,
            country,
            at,
          }),
        );
      }
    }
    const out = await rt.ctr.predict(rows);
    if (out) for (let i = 0; i < ids.length; i++) scores.set(ids[i]!, out[i]!);
  }

  const request: DecisionRequest = {
    // The placement's measured attention enters the quality factor; common to every candidate of the
    // request, it does not change their order (see decide.ts) and is logged with the decision.
    placement: { ...placement, attentionScore: rt.placementAttention.score(placement.id) },
    context: { at, category, device, country },
    user: userId
      ? {
          id: userId,
          segments: personalised ? segments : [],
          exposures: toHistory(exposures),
          engagementByHour: attention?.hours,
        }
      : undefined,
  };
  const state: DecisionState = {
    spend: (id) => {
      const c = rt.catalog.index.get(id);
      if (!c) return undefined;
      const s = rt.book.snapshot(id, rt.days.dayOf(c.timezone, now).key);
      return {
        spentTodayMicros: s.spentToday,
        spentTotalMicros: s.spentTotal,
        reservedMicros: s.reservedTotal,
      };
    },
    adStats: (id) => {
      const s = rt.adStats.get(id);
      return {
        impressions: s.impressions,
        clicks: s.clicks,
        complaintRate: s.impressions > 0 ? Math.min(1, s.complaints / s.impressions) : undefined,
      };
    },
    pacing: (id) => rt.pacing.get(id),
  };

  const id = newId('dec', now);
  const expiresAt = now + rt.config.ads.tokenTtlMs;
  // Decision and reservation run without an await between them: parallel requests cannot both take
  // the last of a budget.
  let decision: Decision = decide(request, { index: rt.catalog.index, state }, rng, {
    defaultCtr: rt.settings.defaultCtr,
    explorationEpsilon: rt.config.ads.explorationEpsilon,
    maxLoggedCandidates: rt.config.ads.loggedCandidates,
    predictCtr: scores.size > 0 ? (f) => scores.get(f.adId) ?? rt.settings.defaultCtr : undefined,
  });
  let reserved = 0;
  if (decision.filled) {
    const c = rt.catalog.index.get(decision.campaignId)!;
    const day = rt.days.dayOf(c.timezone, now).key;
    if (rt.book.reserve(c.id, id, decision.chargeMicros, c, day, expiresAt)) reserved = decision.chargeMicros;
    else decision = { filled: false, reason: 'BUDGET_EXHAUSTED', candidates: decision.candidates };
  }
  const cpu = process.cpuUsage(cpu0);
  rt.timings.record(Math.round((performance.now() - t0) * 1000), cpu.user + cpu.system);

  const doc: DecisionDoc = {
    _id: id,
    at,
    placementId: placement.id,
    userId,
    category: category ?? null,
    device: device ?? null,
    country: country ?? null,
    candidates: decision.candidates,
    adId: decision.filled ? decision.adId : null,
    campaignId: decision.filled ? decision.campaignId : null,
    advertiserId: decision.filled ? decision.advertiserId : null,
    bidType: decision.filled ? decision.bidType : null,
    ecpmMicros: decision.filled ? decision.ecpmMicros : null,
    priceMicros: decision.filled ? decision.clearingCpmMicros : null,
    chargeMicros: decision.filled ? decision.chargeMicros : null,
    pctr: decision.filled ? decision.pCtr : null,
    quality: decision.filled ? decision.quality : null,
    propensity: decision.filled ? decision.propensity : null,
    explored: decision.filled ? decision.explored : null,
    explorationEpsilon: decision.filled ? rt.config.ads.explorationEpsilon : null,
    explorationSet: decision.filled ? decision.explorationSet : null,
    considered: decision.filled ? decision.logged : [],
    noFillReason: decision.filled ? null : decision.reason,
    personalised: userId !== null && personalised,
    attentionMultiplier: decision.filled ? decision.attentionMultiplier : null,
    reservedMicros: reserved,
    expiresAt: decision.filled ? expiresAt : null,
  };
  const hour = hourStartOf(at);
  rt.traffic.observe(at);
  // The audit's groups: what the decision knew of the user (segments only with consent, as it used them).
  const groups = userGroupKeys({ country, device, segments: request.user?.segments ?? [] });
  const won = decision.filled ? decision.campaignId : null;
  try {
    // The tokens exist only once the decision is stored (see DecisionLog).
    if (rt.log.batching) await rt.log.append(doc);
    else
      await Promise.all([
        rt.log.append(doc),
        won && rt.rollups.add([[rollupId(won, hour), rollupUpdate(won, hour, { wins: 1 })]]),
        rt.userGroups.add(userGroupUpdates(groups, hour, { requests: 1 })),
      ]);
  } catch (err) {
    if (won) rt.book.release(won, id);
    throw err;
  }
  // Bookkeeping of a logged decision: every campaign it considered counts a request in the delivery report.
  rt.counts.count(
    consideredCampaigns(rt, placement, country, device, at).map((c) => c.id),
    hour,
  );
  if (rt.log.batching) {
    if (won) rt.counts.win(won, hour);
    rt.counts.countGroups(groups, hour);
  }
  countAdDecision(decision.filled);
  return { ...doc, ...tokensOf(doc, groups, rt.config.ads.tokenSecret, now) };
}

function tokensOf(doc: DecisionDoc, groups: string[], secret: string, now: number) {
  if (!doc.adId || !doc.campaignId || doc.expiresAt === null)
    return { impressionToken: null, clickToken: null };
  const base = {
    d: doc._id,
    ad: doc.adId,
    cmp: doc.campaignId,
    plc: doc.placementId,
    usr: doc.userId,
    iat: now,
    exp: doc.expiresAt,
    grp: groups,
  };
  const charge = doc.chargeMicros ?? 0;
  const imp: AdTokenClaims = { ...base, t: 'IMPRESSION', ch: doc.bidType === 'CPM' ? charge : 0 };
  const clk: AdTokenClaims = { ...base, t: 'CLICK', ch: doc.bidType === 'CPC' ? charge : 0 };
  return { impressionToken: signAdToken(imp, secret), clickToken: signAdToken(clk, secret) };
}
