import { DateTimeScalar, type GraphQLResolverMap } from '@attention-mesh/platform';
import { attentionBreakdown, attentionSeries, type SeriesArgs } from '../analytics/analytics.js';
import type { AttentionEventInput } from '../ingest/eventRules.js';
import { recordAttention } from '../ingest/recordAttention.js';
import { type AttentionMetric, statsOf, sums } from '../metrics/metricsOf.js';
import { categoryShares, medianSpanSeconds, weekCurve } from '../metrics/profileMath.js';
import type { Context as Ctx } from './context.js';

const HOUR = 3_600_000;

async function stats(ctx: Ctx, key: string) {
  const total = await ctx.loaders.total.load(key);
  return statsOf(sums(total), total?.lastEventAt ?? null);
}

export const resolvers: GraphQLResolverMap<Ctx> = {
  DateTime: DateTimeScalar,
  Query: {
    attentionSeries: (_: unknown, args: SeriesArgs, ctx: Ctx) => attentionSeries(ctx.runtime, args),
    attentionBreakdown: (
      _: unknown,
      args: { by: string; metric: AttentionMetric; from: number; to: number; first: number },
      ctx: Ctx,
    ) => attentionBreakdown(ctx.runtime, args),
  },
  Mutation: {
    recordAttention: (_: unknown, { events }: { events: AttentionEventInput[] }, ctx: Ctx) =>
      recordAttention(ctx.runtime, events, { ...ctx.runtime.settings, events: ctx.events }),
  },
  User: {
    async attention(user: { id: string }, _: unknown, ctx: Ctx) {
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
    predictedEngagement: (p: { userId: string }, { at }: { at: number }, ctx: Ctx) =>
      ctx.loaders.engagement.load(`${p.userId}|${Math.floor(at / HOUR) * HOUR}`),
  },
  Item: { attentionStats: (o: { id: string }, _: unknown, ctx: Ctx) => stats(ctx, `ITEM|${o.id}`) },
  Ad: { attentionStats: (o: { id: string }, _: unknown, ctx: Ctx) => stats(ctx, `AD|${o.id}`) },
  Placement: { attentionStats: (o: { id: string }, _: unknown, ctx: Ctx) => stats(ctx, `PLACEMENT|${o.id}`) },
};
