import { DateTimeScalar } from '@attention-mesh/platform';
import { attentionBreakdown, attentionSeries } from '../analytics/analytics.js';
import type { Resolvers } from '../generated/resolvers.js';
import { recordAttention } from '../ingest/recordAttention.js';
import { statsOf, sums } from '../metrics/metricsOf.js';
import { categoryShares, medianSpanSeconds, weekCurve } from '../metrics/profileMath.js';
import type { Context as Ctx } from './context.js';

const HOUR = 3_600_000;

async function stats(ctx: Ctx, key: string) {
  const total = await ctx.loaders.total.load(key);
  return statsOf(sums(total), total?.lastEventAt ?? null);
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    attentionSeries: (_, args, ctx) => attentionSeries(ctx.runtime, args),
    attentionBreakdown: (_, args, ctx) => attentionBreakdown(ctx.runtime, args),
  },
  Mutation: {
    recordAttention: (_, { events }, ctx) =>
      recordAttention(ctx.runtime, events, { ...ctx.runtime.settings, events: ctx.events }),
  },
  User: {
    async attention(user, _, ctx) {
      const [total, profile] = await Promise.all([
        ctx.loaders.total.load(`USER|${user.id}`),
        ctx.loaders.profile.load(user.id),
      ]);
      const s = sums(total);
      return {
        userId: user.id,
        events: s.events,
        impressions: s.impressions,
        clicks: s.clicks,
        engagedSeconds: s.engagedMs / 1000,
        timeInViewSeconds: s.timeInViewMs / 1000,
        sessions: profile?.sessions ?? 0,
        lastActiveAt: total?.lastEventAt ?? null,
        categoryShares: categoryShares(profile?.categories),
        weeklyCurve: weekCurve(profile?.weekHours),
        attentionSpanSeconds: medianSpanSeconds(profile?.span),
      };
    },
  },
  AttentionProfile: {
    predictedEngagement: (p, { at }, ctx) =>
      ctx.loaders.engagement.load(`${p.userId}|${Math.floor(at / HOUR) * HOUR}`),
  },
  Item: { attentionStats: (o, _, ctx) => stats(ctx, `ITEM|${o.id}`) },
  Ad: { attentionStats: (o, _, ctx) => stats(ctx, `AD|${o.id}`) },
  Placement: { attentionStats: (o, _, ctx) => stats(ctx, `PLACEMENT|${o.id}`) },
};
