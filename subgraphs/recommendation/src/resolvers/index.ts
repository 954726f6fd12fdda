import { checkClientId, DateTimeScalar } from '@attention-mesh/platform';
import { createItem } from '../catalogue/createItem.js';
import { listItems } from '../catalogue/listItems.js';
import type { Resolvers } from '../generated/resolvers.js';
import { exposureGroups, exposureLorenz, exposureReport } from '../recommend/exposureReport.js';
import { recommendFor } from '../recommend/recommendFor.js';
import { similarTo } from '../recommend/similarTo.js';
import { modelInfo } from '../serving/modelInfo.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    item: (_, { id }, ctx) => ctx.loaders.item.load(checkClientId(id, 'id')),
    items: (_, args, ctx) => listItems(ctx.runtime, args),
    modelInfo: (_, __, ctx) => modelInfo(ctx.runtime.holder, ctx.runtime.staleness),
    recommendationExposure: (_, __, ctx) => exposureReport(ctx.runtime),
  },
  Mutation: {
    createItem: (_, { input }, ctx) => createItem(ctx.runtime, input),
  },
  Item: {
    __resolveReference: (ref, ctx) => ctx.runtime.catalogue.get(ref.id) ?? ctx.loaders.item.load(ref.id),
    id: (item) => item._id,
    similar: (item, args, ctx) => similarTo(ctx.runtime, item, args.first),
  },
  RecommendationExposure: {
    lorenzCurve: (_, { points }, ctx) => exposureLorenz(ctx.runtime, points),
    byGroup: (_, { dimension, first }, ctx) => exposureGroups(ctx.runtime, dimension, first),
  },
  User: {
    __resolveReference: (ref) => ({ id: ref.id }),
    recommendations: (user, args, ctx) => recommendFor(ctx.runtime, ctx.caller, user.id, args),
  },
};
