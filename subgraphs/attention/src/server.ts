import type { SubgraphDefinition } from '@attention-mesh/platform';
import { attentionConfig } from './config.js';
import { startConsumers } from './consumers.js';
import { watchEngagementModel } from './engagement/engagementModel.js';
import { createLoaders } from './loaders.js';
import { recoverProjection } from './projection/recovery.js';
import { loadMemoryViews, projectionRunner } from './projection/runner.js';
import type { AttentionContext } from './resolvers/context.js';
import { resolvers } from './resolvers/index.js';
import { retentionRunner } from './retention/retentionRunner.js';
import { type AttentionRuntime, createRuntime } from './runtime.js';

/** The attention subgraph: behaviour events in, attention measured per view, item, ad, placement and user. */
export const attentionSubgraph: SubgraphDefinition<AttentionRuntime, AttentionContext> = {
  name: 'attention',
  schemaFile: new URL('../src/schema.graphql', import.meta.url),
  resolvers,
  config: attentionConfig,
  runtime: createRuntime,
  context: (runtime, { events }) => ({ runtime, events, loaders: createLoaders(runtime) }),
  async prepare(runtime, { logger }) {
    runtime.projection.useLogger(logger);
    await runtime.tombstones.load();
    await recoverProjection(runtime, { halfLifeDays: runtime.settings.halfLifeDays, logger });
    await loadMemoryViews(runtime, logger);
  },
  background: (runtime, { events, logger }) => [
    projectionRunner(runtime, logger),
    retentionRunner(runtime, logger),
    ...startConsumers(runtime, events),
    watchEngagementModel(runtime.config, logger, runtime.engagement.swap),
  ],
};
