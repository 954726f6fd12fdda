import { type CatalogEvent, type EventBus, erasedIdOf } from '@attention-mesh/platform';
import type { ErasureDoc } from '../models/Erasure.js';
import type { UsersRuntime } from '../runtime.js';
import { allDone } from './erasureStatus.js';

const SERVICE = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * Once every expected service is done: the bus forgets the user (their retained events get the
 * tombstone in place of the id; a no-op on NATS, whose stream keeps them until they age out), then the
 * erasure is complete and its record drops the id.
 */
export async function finishErasure(
  runtime: UsersRuntime,
  events: EventBus,
  doc: ErasureDoc,
): Promise<boolean> {
  if (doc.completedAt !== null || !allDone(doc, runtime.settings.erasureServices)) return false;
  if (doc.userId) await events.redactUser(doc.userId, erasedIdOf(doc._id));
  await runtime.Erasure.updateOne({ _id: doc._id }, { $set: { completedAt: Date.now(), userId: null } });
  return true;
}

/**
 * `user.erasure.completed`: records the service's part (the first report of a service is kept, so a
 * redelivery changes nothing) and finishes the erasure when it was the last one.
 */
export async function recordCompletion(
  runtime: UsersRuntime,
  events: EventBus,
  event: CatalogEvent<'user.erasure.completed'>,
): Promise<void> {
  const { service, removed, completedAt } = event.data;
  // The name becomes a field path: nothing but a plain service name.
  if (!SERVICE.test(service)) return;
  await runtime.Erasure.updateOne(
    { _id: event.key.id, [`services.${service}`]: { $exists: false } },
    { $set: { [`services.${service}`]: { completedAt, removed } } },
  );
  const doc = await runtime.Erasure.findById(event.key.id).lean<ErasureDoc>();
  if (doc) await finishErasure(runtime, events, doc);
}
