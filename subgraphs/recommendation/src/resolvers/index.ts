import {
  checkClientId,
  checkHttpUrl,
  checkSlug,
  checkSlugs,
  checkText,
  DateTimeScalar,
  type GraphQLResolverMap,
  insertOnce,
  newId,
  paginateById,
  type RequestContext,
} from '@attention-mesh/platform';
import type { RecommendationLoaders } from '../loaders.js';
import type { ItemDoc, ItemKind } from '../models/Item.js';
import { bumpCatalogueVersion } from '../models/RecState.js';
import type { RecommendationModels } from '../server.js';
import {
  exposureReport,
  modelInfo,
  type RecommendationArgs,
  recommendationsPage,
  similarTo,
} from './recommendations.js';

export interface RecommendationContext {
  models: RecommendationModels;
  loaders: RecommendationLoaders;
}
type Ctx = RequestContext & RecommendationContext;

interface CreateItemInput {
  id?: string | null;
  title: string;
  kind: ItemKind;
  category: string;
  tags: string[];
  url?: string | null;
  publishedAt?: number | null;
}

export const resolvers: GraphQLResolverMap<Ctx> = {
  DateTime: DateTimeScalar,
  Query: {
    item: (_: unknown, { id }: { id: string }, ctx: Ctx) => ctx.loaders.item.load(id),
    items: (_: unknown, args: { category?: string | null; first: number; after?: string | null }, ctx: Ctx) =>
      paginateById<ItemDoc>(
        ctx.models.Item,
        args.category ? { category: checkSlug(args.category, 'category', 'category') } : {},
        args,
      ),
    modelInfo: (_: unknown, __: unknown, ctx: Ctx) => modelInfo(ctx.models),
    recommendationExposure: (_: unknown, __: unknown, ctx: Ctx) => exposureReport(ctx.models),
  },
  Mutation: {
    async createItem(_: unknown, { input }: { input: CreateItemInput }, ctx: Ctx) {
      const now = Date.now();
      const doc: ItemDoc = {
        _id: input.id ? checkClientId(input.id, 'input.id') : newId('itm', now),
        title: checkText(input.title, 'input.title', 300),
        kind: input.kind,
        category: checkSlug(input.category, 'input.category', 'category'),
        tags: checkSlugs(input.tags, 'input.tags', 30, 'tag'),
        url: input.url == null ? null : checkHttpUrl(input.url, 'input.url'),
        publishedAt: input.publishedAt ?? now,
        createdAt: now,
      };
      const stored = await insertOnce<ItemDoc>(ctx.models.Item, doc);
      ctx.models.catalogue.put(stored);
      await bumpCatalogueVersion(ctx.models.RecState);
      return stored;
    },
  },
  Item: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) =>
      ctx.models.catalogue.get(ref.id) ?? ctx.loaders.item.load(ref.id),
    id: (item: ItemDoc) => item._id,
    similar: (item: ItemDoc, args: { first: number }, ctx: Ctx) => similarTo(ctx.models, item, args.first),
  },
  User: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    recommendations: (user: { id: string }, args: RecommendationArgs, ctx: Ctx) =>
      recommendationsPage(ctx.models, user.id, args),
  },
};
