import {
  CounterWriter,
  KeyedLock,
  LruCache,
  type ServiceConfig,
  type SubgraphDefinition,
} from '@attention-mesh/platform';
import type { Connection } from 'mongoose';
import type { ViewState } from './attentionMetrics.js';
import { applyConsentEvent } from './consents.js';
import type { EngagementPrediction, EngagementRequest } from './engagement.js';
import { createLoaders } from './loaders.js';
import { attentionModels } from './models/index.js';
import { type AttentionContext, resolvers } from './resolvers/index.js';

/** A loaded engagement model, swappable at run time. */
export interface EngagementPredictor {
  predict(requests: readonly EngagementRequest[]): Promise<EngagementPrediction[]>;
}

export function createModels(conn: Connection, config: ServiceConfig) {
  const models = attentionModels(conn);
  let predictor: EngagementPredictor | null = null;
  return {
    ...models,
    settings: config.attention,
    /** One writer per pre-aggregated collection (see CounterWriter for why). */
    rollups: new CounterWriter(models.AttentionRollup),
    totals: new CounterWriter(models.AttentionTotal),
    profiles: new CounterWriter(models.AttentionProfile),
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
  consumers: (models, { events }) => [
    events.subscribe('attention.consents', ['user.consent.changed'], (event) =>
      applyConsentEvent(models, event),
    ),
  ],
};
