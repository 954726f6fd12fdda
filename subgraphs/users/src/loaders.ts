import { byIdLoader } from '@attention-mesh/platform';
import type { UserDoc } from './models/User.js';
import type { UsersRuntime } from './runtime.js';

/** Fresh per request, so nothing is cached across callers. */
export function createLoaders(runtime: UsersRuntime) {
  return { user: byIdLoader<UserDoc>(runtime.User) };
}
export type UsersLoaders = ReturnType<typeof createLoaders>;
