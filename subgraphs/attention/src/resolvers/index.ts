import { DateTimeScalar } from '@attention-mesh/platform';
import { attentionBreakdown, attentionSeries } from '../analytics/analytics.js';
import type { Resolvers } from '../generated/resolvers.js';
import { recordAttention } from '../ingest/recordAttention.js';
import { statsOf, sums } from '../metrics/metricsOf.js';
import { attentionProfile, largestShares } from '../profile/attentionProfile.js';
import type { Context as Ctx } from './context.js';

const HOUR = 3_600_000;

async function stats(ctx: Ctx, key: string) {
  const total = await ctx.loaders.total.load(key);
  return statsOf(sums(total), total?.lastEventAt ?? null);
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    attentionSeries: (_, args, ctx) => attentionSeries(ctx.runtime, ctx.caller, args, ctx.requestId),
    attentionBreakdown: (_, args, ctx) => attentionBreakdown(ctx.runtime, ctx.caller, args, ctx.requestId),
  },
  Mutation: {
    recordAttention: (_, { events }, ctx) =>
      recordAttention(ctx.runtime, events, {
        ...ctx.runtime.settings,
        caller: ctx.caller,
        events: ctx.events,
      }),
  },
  User: {
    attention: (user, _, ctx) => attentionProfile(ctx.loaders, ctx.caller, user.id),
  },
  AttentionProfile: {
    categoryShares: (p, { first }) => largestShares(p.categoryShares, first),
    predictedEngagement: (p, { at }, ctx) =>
      ctx.loaders.engagement.load(`${p.userId}|${Math.floor(at / HOUR) * HOUR}`),
  },
  Item: { attentionStats: (o, _, ctx) => stats(ctx, `ITEM|${o.id}`) },
  Ad: { attentionStats: (o, _, ctx) => stats(ctx, `AD|${o.id}`) },
  Placement: { attentionStats: (o, _, ctx) => stats(ctx, `PLACEMENT|${o.id}`) },
};
