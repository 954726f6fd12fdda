import { DateTimeScalar, type GraphQLResolverMap, type RequestContext } from '@attention-mesh/platform';
import type { AttentionEventInput } from '../eventRules.js';
import type { AttentionLoaders } from '../loaders.js';
import type { AttentionCounterDoc } from '../models/AttentionCounter.js';
import { recordAttention } from '../recordAttention.js';
import type { AttentionModels } from '../server.js';

export interface AttentionContext {
  models: AttentionModels;
  loaders: AttentionLoaders;
}
type Ctx = RequestContext & AttentionContext;

const EMPTY: Omit<AttentionCounterDoc, '_id'> = {
  events: 0,
  impressions: 0,
  clicks: 0,
  engagedMs: 0,
  viewMs: 0,
  lastEventAt: 0,
};

async function counter(ctx: Ctx, key: string) {
  const c = (await ctx.loaders.counter.load(key)) ?? { _id: key, ...EMPTY };
  return {
    events: c.events,
    impressions: c.impressions,
    clicks: c.clicks,
    clickThroughRate: c.impressions > 0 ? c.clicks / c.impressions : 0,
    engagedSeconds: c.engagedMs / 1000,
    timeInViewSeconds: c.viewMs / 1000,
    lastActiveAt: c.lastEventAt || null,
    lastEventAt: c.lastEventAt || null,
  };
}

export const resolvers: GraphQLResolverMap<Ctx> = {
  DateTime: DateTimeScalar,
  Mutation: {
    recordAttention: (_: unknown, { events }: { events: AttentionEventInput[] }, ctx: Ctx) =>
      recordAttention(ctx.models, events),
  },
  User: {
    attention: (user: { id: string }, _: unknown, ctx: Ctx) => counter(ctx, `USER:${user.id}`),
  },
  Item: {
    attentionStats: (item: { id: string }, _: unknown, ctx: Ctx) => counter(ctx, `ITEM:${item.id}`),
  },
};
