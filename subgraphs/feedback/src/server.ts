import type { SubgraphDefinition } from '@attention-mesh/platform';
import { createLoaders } from './loaders.js';
import { createModels, type FeedbackModels } from './models/index.js';
import { type FeedbackContext, resolvers } from './resolvers/index.js';

/** The feedback subgraph: explicit and implicit signals, stored once, summed per item and ad. */
export const feedbackSubgraph: SubgraphDefinition<FeedbackModels, FeedbackContext> = {
  name: 'feedback',
  schemaFile: new URL('../src/schema.graphql', import.meta.url),
  resolvers,
  runtime: createModels,
  context: (models, { events }) => ({ models, events, loaders: createLoaders(models) }),
};
