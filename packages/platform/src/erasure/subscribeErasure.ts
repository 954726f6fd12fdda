import type { ServiceName } from '../config.js';
import type { CatalogEvent } from '../events/catalog.js';
import { meshEvent } from '../events/event.js';
import { subscribeEvents } from '../events/subscribeEvents.js';
import type { EventBus, Subscription } from '../events/types.js';
import type { TombstoneStore } from './tombstoneStore.js';

/** Deletes or anonymises what a service holds of one user; resolves to the documents touched. */
export type EraseUser = (userId: string, event: CatalogEvent<'user.erased'>) => Promise<number>;

/** The completion a service reports for an erasure: no user id, only the tombstone as the key. */
export function erasureCompleted(
  service: ServiceName,
  tombstone: string,
  removed: number,
  completedAt: number,
) {
  return meshEvent(
    'user.erasure.completed',
    { __typename: 'Erasure', id: tombstone },
    {
      service,
      removed,
      completedAt,
    },
  );
}

/**
 * A service's one erasure consumer (`<service>.erasure`): on `user.erased`, stores the tombstone first
 * (so nothing new of the user is accepted while the rest runs), then `erase`, then reports
 * `user.erasure.completed`. A redelivered event runs again (the erase finds less or nothing, the report
 * is repeated and the users subgraph keeps the first), so the handler is idempotent by effect.
 */
export function subscribeErasure(
  events: EventBus,
  service: ServiceName,
  tombstones: TombstoneStore,
  erase: EraseUser,
): Subscription {
  return subscribeEvents(events, `${service}.erasure`, ['user.erased'], async (event) => {
    const userId = event.userId ?? event.key.id;
    const tombstone = await tombstones.add(userId);
    const removed = await erase(userId, event);
    await events.publish([erasureCompleted(service, tombstone, removed, Date.now())]);
  });
}
