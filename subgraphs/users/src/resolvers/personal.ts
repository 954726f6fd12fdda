import { requireSelf } from '@attention-mesh/platform';
import type { UserDoc } from '../models/User.js';
import type { Context } from './context.js';

/**
 * The resolver of a personal `User` field: the schema let a person or an admin through, this checks the
 * user is the caller's own (or the caller an admin), however the user was reached (`user`, `users`,
 * `_entities` for another subgraph's reference). Each field fails alone, at its path.
 */
export function personal<K extends keyof UserDoc>(key: K) {
  return (user: UserDoc, _args: unknown, ctx: Context) => {
    requireSelf(ctx.caller, user._id, `User.${key}`);
    // An optional field left out of a stored document is null, as GraphQL would make it.
    return (user[key] ?? null) as Exclude<UserDoc[K], undefined>;
  };
}
