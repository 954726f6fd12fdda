import type { SubgraphDefinition } from '@attention-mesh/platform';
import { recommendationConfig } from './config.js';
import { startConsumers } from './consumers.js';
import { createLoaders } from './loaders.js';
import { startRewardConsumer } from './recommend/rewardConsumer.js';
import type { RecommendationContext } from './resolvers/context.js';
import { resolvers } from './resolvers/index.js';
import { createRuntime, type RecommendationRuntime } from './runtime.js';
import { watchSasRec } from './serving/watchModel.js';

// The package's entry point: benchmarks and tests reach the runtime's type through it.
export type { RecommendationRuntime } from './runtime.js';

/**
 * The recommendation subgraph: the item catalogue, users' recent sequences (from attention and feedback
 * events), the SASRec model served from the registry behind a micro-batcher, recommendations with
 * explanations, diversity and exposure-fairness re-ranking, similar items and model info.
 */
export const recommendationSubgraph: SubgraphDefinition<RecommendationRuntime, RecommendationContext> = {
  name: 'recommendation',
  schemaFile: new URL('../src/schema.graphql', import.meta.url),
  resolvers,
  config: recommendationConfig,
  runtime: createRuntime,
  context: (runtime) => ({ runtime, loaders: createLoaders(runtime) }),
  background: (runtime, { events, logger }) => {
    void runtime.warmUp().catch((err: unknown) => logger.error({ err }, 'catalogue could not be loaded'));
    const refresh = setInterval(() => {
      runtime.refresh().catch((err: unknown) => logger.warn({ err }, 'catalogue refresh failed'));
    }, runtime.settings.refreshMs);
    refresh.unref();
    return [
      startConsumers(runtime, events),
      watchSasRec(runtime.config, logger, runtime.holder),
      { stop: () => clearInterval(refresh) },
      startRewardConsumer(runtime, events),
      runtime.decisions.start(logger),
    ];
  },
};
