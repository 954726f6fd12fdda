import type { GraphQLResolverMap } from '@attention-mesh/platform';
import { type AdDecisionResult, type RequestAdsInput, requestAds } from '../decision/requestAds.js';
import { type RecordAdEventInput, recordAdEvent } from '../ledger/recordAdEvent.js';
import type { AdEventDoc } from '../models/index.js';
import { MAX_CAP_WINDOW_S } from '../reports/exposures.js';
import type { Context } from './context.js';

type EventResult = { event: AdEventDoc; duplicate: boolean };

export const decisionResolvers: GraphQLResolverMap<Context> = {
  Mutation: {
    requestAds: (_: unknown, { input }: { input: RequestAdsInput }, ctx: Context) =>
      requestAds(ctx.runtime, input),
    recordAdEvent: (_: unknown, { input }: { input: RecordAdEventInput }, ctx: Context) =>
      recordAdEvent(ctx.runtime, input, ctx.events),
  },
  AdDecision: {
    id: (d: AdDecisionResult) => d._id,
    placement: (d: AdDecisionResult, _: unknown, ctx: Context) => ctx.loaders.placement.load(d.placementId),
    ad: (d: AdDecisionResult, _: unknown, ctx: Context) => (d.adId ? ctx.loaders.ad.load(d.adId) : null),
    campaign: (d: AdDecisionResult, _: unknown, ctx: Context) =>
      d.campaignId ? ctx.loaders.campaign.load(d.campaignId) : null,
    pctr: (d: AdDecisionResult) => d.pctr,
    decidedAt: (d: AdDecisionResult) => d.at,
  },
  AdEventResult: {
    decisionId: (r: EventResult) => r.event.decisionId,
    type: (r: EventResult) => r.event.type,
    ad: (r: EventResult, _: unknown, ctx: Context) => ctx.loaders.ad.load(r.event.adId),
    campaign: (r: EventResult, _: unknown, ctx: Context) => ctx.loaders.campaign.load(r.event.campaignId),
    chargedMicros: (r: EventResult) => r.event.chargedMicros,
    occurredAt: (r: EventResult) => r.event.occurredAt,
  },
  User: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    async adExposure(user: { id: string }, _: unknown, ctx: Context) {
      const since = Date.now() - MAX_CAP_WINDOW_S * 1000;
      const byCampaign = new Map<string, { campaignId: string; impressions: number; lastAt: number }>();
      for (const e of await ctx.runtime.ads.exposures.get(user.id)) {
        if (e.at <= since) continue;
        const cur = byCampaign.get(e.campaignId) ?? { campaignId: e.campaignId, impressions: 0, lastAt: 0 };
        cur.impressions += 1;
        cur.lastAt = Math.max(cur.lastAt, e.at);
        byCampaign.set(e.campaignId, cur);
      }
      return [...byCampaign.values()].sort((a, b) => b.lastAt - a.lastAt);
    },
  },
  AdExposure: {
    campaign: (e: { campaignId: string }, _: unknown, ctx: Context) =>
      ctx.loaders.campaign.load(e.campaignId),
  },
};
