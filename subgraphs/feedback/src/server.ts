import type { SubgraphDefinition } from '@attention-mesh/platform';
import { feedbackConfig } from './config.js';
import { startConsumers } from './consumers.js';
import { createLoaders } from './loaders.js';
import type { FeedbackContext } from './resolvers/context.js';
import { resolvers } from './resolvers/index.js';
import { createRuntime, type FeedbackRuntime } from './runtime.js';

/** The feedback subgraph: explicit and implicit signals, stored once, summed per item and ad; complaint flags. */
export const feedbackSubgraph: SubgraphDefinition<FeedbackRuntime, FeedbackContext> = {
  name: 'feedback',
  schemaFile: new URL('../src/schema.graphql', import.meta.url),
  resolvers,
  config: feedbackConfig,
  runtime: createRuntime,
  context: (runtime, { events }) => ({ runtime, events, loaders: createLoaders(runtime) }),
  prepare: (runtime) => runtime.tombstones.load(),
  background: (runtime, { events }) => startConsumers(runtime, events),
};
