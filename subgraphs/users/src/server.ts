import type { SubgraphDefinition } from '@attention-mesh/platform';
import type { Connection } from 'mongoose';
import { createLoaders } from './loaders.js';
import { userModel } from './models/User.js';
import { resolvers, type UsersContext } from './resolvers/index.js';

export function createModels(conn: Connection) {
  return { User: userModel(conn) };
}
export type UsersModels = ReturnType<typeof createModels>;

/** The users subgraph: profiles, locale and time zone, consent, segments. */
export const usersSubgraph: SubgraphDefinition<UsersModels, UsersContext> = {
  name: 'users',
  schemaFile: new URL('../src/schema.graphql', import.meta.url),
  resolvers,
  runtime: createModels,
  context: (models, { events }) => ({ models, loaders: createLoaders(models), events }),
};
