import {
  KeyedLock,
  type Logger,
  LruCache,
  type ServiceConfig,
  type SubgraphDefinition,
} from '@attention-mesh/platform';
import type { Connection } from 'mongoose';
import type { ViewState } from './attentionMetrics.js';
import { applyConsentEvent } from './consents.js';
import type { EngagementPredictor } from './engagement.js';
import { watchEngagementModel } from './engagementModel.js';
import { createLoaders } from './loaders.js';
import { attentionModels } from './models/index.js';
import { markDrained, Projection, recoverProjection } from './projection.js';
import { type AttentionContext, resolvers } from './resolvers/index.js';

export function createModels(conn: Connection, config: ServiceConfig) {
  const models = attentionModels(conn);
  let predictor: EngagementPredictor | null = null;
  return {
    ...models,
    settings: config.attention,
    config,
    /** Writes everything derived from the stored events (views, rollups, totals, profiles) behind. */
    projection: new Projection(models, { maxPending: config.attention.maxPendingBatches }),
    /** Batches touching the same view take turns. */
    viewLock: new KeyedLock(),
    /** States of recently measured views, as stored. */
    viewCache: new LruCache<string, ViewState>(100_000),
    engagement: {
      current: () => predictor,
      swap: (next: EngagementPredictor | null) => {
        predictor = next;
      },
    },
  };
}
export type AttentionModels = ReturnType<typeof createModels>;

/** The attention subgraph: behaviour events in, attention measured per view, item, ad, placement and user. */
export const attentionSubgraph: SubgraphDefinition<AttentionModels, AttentionContext> = {
  name: 'attention',
  schemaFile: new URL('../src/schema.graphql', import.meta.url),
  resolvers,
  models: createModels,
  context: (models, { events }) => ({ models, events, loaders: createLoaders(models) }),
  async prepare(models, { logger }) {
    models.projection.useLogger(logger);
    await recoverProjection(models, { halfLifeDays: models.settings.halfLifeDays, logger });
  },
  background: (models, { events, logger }) => [
    projectionRunner(models, logger),
    events.subscribe('attention.consents', ['user.consent.changed'], (event) =>
      applyConsentEvent(models, event),
    ),
    watchEngagementModel(models.config, logger, models.engagement.swap),
  ],
};

/** Loads the stored view ids in the background; at stop, stores everything pending and says so. */
function projectionRunner(models: AttentionModels, logger: Logger) {
  const loading = models.projection
    .loadViewIds()
    .catch((err: unknown) => logger.warn({ err }, 'cannot load view ids: every unknown view is looked up'));
  return {
    async stop() {
      await loading;
      await models.projection.idle();
      await markDrained(models, true);
    },
  };
}
