import type { SubgraphDefinition } from '@attention-mesh/platform';
import type { Connection } from 'mongoose';
import { createLoaders } from './loaders.js';
import { itemModel } from './models/Item.js';
import { type RecommendationContext, resolvers } from './resolvers/index.js';

export function createModels(conn: Connection) {
  return { Item: itemModel(conn) };
}
export type RecommendationModels = ReturnType<typeof createModels>;

/** The recommendation subgraph: the item catalogue (the sequential recommender comes on top of it). */
export const recommendationSubgraph: SubgraphDefinition<RecommendationModels, RecommendationContext> = {
  name: 'recommendation',
  schemaFile: new URL('../src/schema.graphql', import.meta.url),
  resolvers,
  models: createModels,
  context: (models) => ({ models, loaders: createLoaders(models) }),
};
