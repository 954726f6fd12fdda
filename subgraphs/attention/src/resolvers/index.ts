import {
  DateTimeScalar,
  type EventBus,
  type GraphQLResolverMap,
  type RequestContext,
} from '@attention-mesh/platform';
import { attentionBreakdown, attentionSeries, type SeriesArgs } from '../analytics.js';
import type { AttentionEventInput } from '../eventRules.js';
import type { AttentionLoaders } from '../loaders.js';
import { type AttentionMetric, statsOf, sums } from '../metricsOf.js';
import { categoryShares, medianSpanSeconds, weekCurve } from '../profileMath.js';
import { recordAttention } from '../recordAttention.js';
import type { AttentionModels } from '../server.js';

export interface AttentionContext {
  models: AttentionModels;
  events: EventBus;
  loaders: AttentionLoaders;
}
type Ctx = RequestContext & AttentionContext;

const HOUR = 3_600_000;

async function stats(ctx: Ctx, key: string) {
  const total = await ctx.loaders.total.load(key);
  return statsOf(sums(total), total?.lastEventAt ?? null);
}

export const resolvers: GraphQLResolverMap<Ctx> = {
  DateTime: DateTimeScalar,
  Query: {
    attentionSeries: (_: unknown, args: SeriesArgs, ctx: Ctx) => attentionSeries(ctx.models, args),
    attentionBreakdown: (
      _: unknown,
      args: { by: string; metric: AttentionMetric; from: number; to: number; first: number },
      ctx: Ctx,
    ) => attentionBreakdown(ctx.models, args),
  },
  Mutation: {
    recordAttention: (_: unknown, { events }: { events: AttentionEventInput[] }, ctx: Ctx) =>
      recordAttention(ctx.models, events, { ...ctx.models.settings, events: ctx.events }),
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
