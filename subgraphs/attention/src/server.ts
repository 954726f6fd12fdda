import { CounterWriter, type SubgraphDefinition } from '@attention-mesh/platform';
import type { Connection } from 'mongoose';
import { createLoaders } from './loaders.js';
import { attentionCounterModel } from './models/AttentionCounter.js';
import { attentionEventModel } from './models/AttentionEvent.js';
import { type AttentionContext, resolvers } from './resolvers/index.js';

export function createModels(conn: Connection) {
  const AttentionCounter = attentionCounterModel(conn);
  return {
    AttentionEvent: attentionEventModel(conn),
    AttentionCounter,
    counters: new CounterWriter(AttentionCounter),
  };
}
export type AttentionModels = ReturnType<typeof createModels>;

/** The attention subgraph: behaviour events in, attention measured per user, item, ad and placement. */
export const attentionSubgraph: SubgraphDefinition<AttentionModels, AttentionContext> = {
  name: 'attention',
  schemaFile: new URL('../src/schema.graphql', import.meta.url),
  resolvers,
  models: createModels,
  context: (models) => ({ models, loaders: createLoaders(models) }),
};
