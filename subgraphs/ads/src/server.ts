import type { SubgraphDefinition } from '@attention-mesh/platform';
import { createLoaders } from './loaders.js';
import { type AdsModels, createModels } from './models/index.js';
import { type AdsContext, resolvers } from './resolvers/index.js';

/** The ads subgraph: advertisers, campaigns, ads and placements (the ad decision comes on top). */
export const adsSubgraph: SubgraphDefinition<AdsModels, AdsContext> = {
  name: 'ads',
  schemaFile: new URL('../src/schema.graphql', import.meta.url),
  resolvers,
  models: createModels,
  context: (models) => ({ models, loaders: createLoaders(models) }),
};
