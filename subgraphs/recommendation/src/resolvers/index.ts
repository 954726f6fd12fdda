import { DateTimeScalar, type GraphQLResolverMap } from '@attention-mesh/platform';
import { createItem, type NewItem } from '../catalogue/createItem.js';
import { listItems } from '../catalogue/listItems.js';
import type { ItemDoc } from '../models/Item.js';
import { exposureReport } from '../recommend/exposureReport.js';
import { type RecommendationArgs, recommendFor } from '../recommend/recommendFor.js';
import { similarTo } from '../recommend/similarTo.js';
import { modelInfo } from '../serving/modelInfo.js';
import type { Context } from './context.js';

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime: DateTimeScalar,
  Query: {
    item: (_: unknown, { id }: { id: string }, ctx: Context) => ctx.loaders.item.load(id),
    items: (
      _: unknown,
      args: { category?: string | null; first: number; after?: string | null },
      ctx: Context,
    ) => listItems(ctx.runtime, args),
    modelInfo: (_: unknown, __: unknown, ctx: Context) => modelInfo(ctx.runtime.holder),
    recommendationExposure: (_: unknown, __: unknown, ctx: Context) => exposureReport(ctx.runtime),
  },
  Mutation: {
    createItem: (_: unknown, { input }: { input: NewItem }, ctx: Context) => createItem(ctx.runtime, input),
  },
  Item: {
    __resolveReference: (ref: { id: string }, ctx: Context) =>
      ctx.runtime.catalogue.get(ref.id) ?? ctx.loaders.item.load(ref.id),
    id: (item: ItemDoc) => item._id,
    similar: (item: ItemDoc, args: { first: number }, ctx: Context) =>
      similarTo(ctx.runtime, item, args.first),
  },
  User: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    recommendations: (user: { id: string }, args: RecommendationArgs, ctx: Context) =>
      recommendFor(ctx.runtime, user.id, args),
  },
};
