import type { SectionOf, SubgraphDefinition } from '@attention-mesh/platform';
import { usersConfig } from './config.js';
import { startConsumers } from './consumers.js';
import { resumeErasures } from './erasure/resumeErasures.js';
import { createLoaders } from './loaders.js';
import type { UsersContext } from './resolvers/context.js';
import { resolvers } from './resolvers/index.js';
import { createRuntime, type UsersRuntime } from './runtime.js';

/** The users subgraph: profiles, locale and time zone, consent, segments, erasure, partners' privacy budgets. */
export const usersSubgraph: SubgraphDefinition<UsersRuntime, UsersContext, SectionOf<typeof usersConfig>> = {
  name: 'users',
  config: usersConfig,
  schemaFile: new URL('../src/schema.graphql', import.meta.url),
  resolvers,
  runtime: createRuntime,
  context: (runtime, { events }) => ({ runtime, loaders: createLoaders(runtime), events }),
  async prepare(runtime, { events, logger }) {
    await runtime.tombstones.load();
    await resumeErasures(runtime, events, logger);
  },
  background: (runtime, { events }) => startConsumers(runtime, events),
};
