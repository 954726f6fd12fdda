import { type Caller, checkClientId, requireSelf } from '@attention-mesh/platform';
import type { ErasureDoc } from '../models/Erasure.js';
import type { UsersRuntime } from '../runtime.js';

/** The erasure of a user id (the person themselves or an admin), by its tombstone; null when none was asked. */
export async function findErasure(
  runtime: UsersRuntime,
  caller: Caller,
  id: string,
): Promise<ErasureDoc | null> {
  const userId = checkClientId(id, 'userId');
  requireSelf(caller, userId);
  return runtime.Erasure.findById(runtime.tombstones.hashOf(userId)).lean<ErasureDoc>();
}
