import {
  KeyedLock,
  type Logger,
  LruCache,
  type SubgraphDefinition,
  subscribeEvents,
} from '@attention-mesh/platform';
import type { Connection } from 'mongoose';
import type { ViewState } from './attentionMetrics.js';
import { type AttentionConfig, attentionConfig } from './config.js';
import { applyConsentEvent } from './consents.js';
import type { EngagementPredictor } from './engagement.js';
import { watchEngagementModel } from './engagementModel.js';
import { createLoaders } from './loaders.js';
import { MemoryView } from './memoryView.js';
import { type AttentionProfileDoc, type AttentionTotalDoc, attentionModels } from './models/index.js';
import { Projection } from './projection.js';
import { markDrained, recoverProjection } from './recovery.js';
import { type AttentionContext, resolvers } from './resolvers/index.js';

export function createModels(conn: Connection, config: AttentionConfig) {
  const models = attentionModels(conn);
  let predictor: EngagementPredictor | null = null;
  const memory = {
    totals: new MemoryView<AttentionTotalDoc>('totals', config.attention.memoryDocs),
    profiles: new MemoryView<AttentionProfileDoc>('profiles', config.attention.memoryDocs),
  };
  return {
    ...models,
    settings: config.attention,
    config,
    /** Totals and profiles held whole in memory, current with every accepted batch (see MemoryView). */
    memory,
    /** Writes everything derived from the stored events (views, rollups, totals, profiles, sessions) behind. */
    projection: new Projection(models, {
      maxPending: config.attention.maxPendingBatches,
      knowsEveryView: config.attention.singleWriter,
      servedFromMemory: { totals: () => memory.totals.active, profiles: () => memory.profiles.active },
      onNewSessions: (counts) => memory.profiles.apply(counts),
    }),
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
  config: attentionConfig,
  runtime: createModels,
  context: (models, { events }) => ({ models, events, loaders: createLoaders(models) }),
  async prepare(models, { logger }) {
    models.projection.useLogger(logger);
    await recoverProjection(models, { halfLifeDays: models.settings.halfLifeDays, logger });
    await loadMemoryViews(models, logger);
  },
  background: (models, { events, logger }) => [
    projectionRunner(models, logger),
    subscribeEvents(events, 'attention.consents', ['user.consent.changed'], (event) =>
      applyConsentEvent(models, event),
    ),
    watchEngagementModel(models.config, logger, models.engagement.swap),
  ],
};

/** Loads the stored ids of the derived documents in the background; at stop, stores everything pending and says so. */
function projectionRunner(models: AttentionModels, logger: Logger) {
  const loading = models.projection
    .loadStoredIds()
    .catch((err: unknown) =>
      logger.warn(
        { err },
        'cannot load the stored ids: every unknown view is looked up, every document upserted',
      ),
    );
  return {
    async stop() {
      await loading;
      await models.projection.idle();
      await markDrained(models, true);
    },
  };
}

/** Loads totals and profiles into memory (before the service takes requests, so no batch is missed). */
async function loadMemoryViews(models: AttentionModels, logger: Logger) {
  if (models.settings.memoryDocs === 0) return;
  const started = Date.now();
  const totals = await models.memory.totals.load(
    models.AttentionTotal.find({}).lean<AttentionTotalDoc>().cursor({ batchSize: 5000 }),
  );
  const profiles = await models.memory.profiles.load(
    models.AttentionProfile.find({}).lean<AttentionProfileDoc>().cursor({ batchSize: 5000 }),
  );
  logger.info(
    {
      totals: totals ? models.memory.totals.size : 'too many: read from the database',
      profiles: profiles ? models.memory.profiles.size : 'too many: read from the database',
      ms: Date.now() - started,
    },
    'totals and profiles loaded into memory',
  );
}
