import { meshEvent, type SubgraphDefinition } from '@attention-mesh/platform';
import { recommendationConfig } from './config.js';
import { startConsumers, startErasureConsumer } from './consumers.js';
import { createLoaders } from './loaders.js';
import { announceModel } from './loop/modelSwapped.js';
import { UpdateNotifier } from './loop/UpdateNotifier.js';
import { startConsentConsumer } from './recommend/consentConsumer.js';
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
  prepare: (runtime) => runtime.tombstones.load(),
  background: (runtime, { events, logger }) => {
    void runtime.warmUp().catch((err: unknown) => logger.error({ err }, 'catalogue could not be loaded'));
    const refresh = setInterval(() => {
      runtime.refresh().catch((err: unknown) => logger.warn({ err }, 'catalogue refresh failed'));
    }, runtime.settings.refreshMs);
    refresh.unref();
    const notifier = new UpdateNotifier({
      windowMs: runtime.settings.updateCoalesceMs,
      build: (userId, reason) =>
        meshEvent(
          'recommendations.updated',
          { __typename: 'User', id: userId },
          { reason, modelVersion: runtime.holder.current?.version ?? null, at: Date.now() },
          { userId },
        ),
      publish: (batch) => events.publish(batch),
      onError: (err) => logger.warn({ err }, 'recommendations.updated not published yet; retrying'),
    });
    runtime.notifier = notifier;
    return [
      startConsumers(runtime, events),
      startConsentConsumer(runtime, events),
      watchSasRec(runtime.config, logger, runtime.holder, (served, previous, initial) => {
        announceModel(runtime, events, logger, served, previous, initial).catch((err: unknown) =>
          logger.error({ err }, 'model.updated could not be published'),
        );
      }),
      { stop: () => clearInterval(refresh) },
      notifier,
      startRewardConsumer(runtime, events),
      startErasureConsumer(runtime, events),
      runtime.decisions.start(logger),
    ];
  },
};
