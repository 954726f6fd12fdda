import { byIdLoader } from '@attention-mesh/platform';
import type { UserDoc } from './models/User.js';
import type { UsersModels } from './server.js';

/** Fresh per request, so nothing is cached across callers. */
export function createLoaders(models: UsersModels) {
  return { user: byIdLoader<UserDoc>(models.User) };
}
export type UsersLoaders = ReturnType<typeof createLoaders>;
