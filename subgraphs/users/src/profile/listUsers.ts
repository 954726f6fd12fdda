import { paginateById } from '@attention-mesh/platform';
import type { UserDoc } from '../models/User.js';
import type { UsersRuntime } from '../runtime.js';

/** Every user, a page at a time in id order. */
export function listUsers(runtime: UsersRuntime, page: { first: number; after?: string | null }) {
  return paginateById<UserDoc>(runtime.User, {}, page);
}
