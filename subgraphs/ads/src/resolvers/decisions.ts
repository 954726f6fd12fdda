import type { ResolverMap } from '@attention-mesh/platform';
import { type AdDecisionResult, requestAds } from '../decision/requestAds.js';
import type { MutationRecordAdEventArgs, MutationRequestAdsArgs } from '../generated/resolvers.js';
import { recordAdEvent } from '../ledger/recordAdEvent.js';
import type { AdEventDoc } from '../models/index.js';
import { userExposure } from '../reports/userExposure.js';
import type { Context } from './context.js';

type EventResult = { event: AdEventDoc; duplicate: boolean };

export const decisionResolvers: ResolverMap = {
  Mutation: {
    requestAds: (_: unknown, { input }: MutationRequestAdsArgs, ctx: Context) =>
      requestAds(ctx.runtime, ctx.caller, input),
    recordAdEvent: (_: unknown, { input }: MutationRecordAdEventArgs, ctx: Context) =>
      recordAdEvent(ctx.runtime, input, ctx.events),
  },
  AdDecision: {
    id: (d: AdDecisionResult) => d._id,
    placement: (d: AdDecisionResult, _: unknown, ctx: Context) => ctx.loaders.placement.load(d.placementId),
    ad: (d: AdDecisionResult, _: unknown, ctx: Context) => (d.adId ? ctx.loaders.ad.load(d.adId) : null),
    campaign: (d: AdDecisionResult, _: unknown, ctx: Context) =>
      d.campaignId ? ctx.loaders.campaign.load(d.campaignId) : null,
    pctr: (d: AdDecisionResult) => d.pctr,
    personalised: (d: AdDecisionResult) => d.personalised ?? false,
    attentionMultiplier: (d: AdDecisionResult) => d.attentionMultiplier ?? null,
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
    adExposure: (user: { id: string }, { first }: { first: number }, ctx: Context) =>
      userExposure(ctx.runtime, ctx.caller, user.id, first),
  },
  AdExposure: {
    campaign: (e: { campaignId: string }, _: unknown, ctx: Context) =>
      ctx.loaders.campaign.load(e.campaignId),
  },
};
