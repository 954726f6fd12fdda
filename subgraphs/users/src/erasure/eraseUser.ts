import {
  type Caller,
  checkClientId,
  type EventBus,
  insertOnce,
  meshEvent,
  newEventId,
  requireSelf,
} from '@attention-mesh/platform';
import type { ErasureDoc } from '../models/Erasure.js';
import type { UsersRuntime } from '../runtime.js';
import { userKey } from '../userKey.js';
import { SELF } from './erasureStatus.js';

/** Announces the erasure (with its stored event id: publishing it again is a no-op) and records that. */
export async function publishErasure(
  runtime: UsersRuntime,
  events: EventBus,
  doc: ErasureDoc,
): Promise<void> {
  if (!doc.userId) return;
  await events.publish([
    meshEvent('user.erased', userKey(doc.userId), {}, { userId: doc.userId, id: doc.eventId }),
  ]);
  await runtime.Erasure.updateOne({ _id: doc._id, publishedAt: null }, { $set: { publishedAt: Date.now() } });
}

/**
 * Erases a user (the person themselves or an admin): writes the erasure record and the tombstone,
 * deletes the profile, then publishes `user.erased`, before answering. Idempotent: a repeat (or the
 * erasure of an id that never existed) answers the stored erasure and publishes nothing new; one whose
 * publish failed (a crash, the bus down) publishes it on the next call or at start-up.
 */
export async function eraseUser(
  runtime: UsersRuntime,
  events: EventBus,
  caller: Caller,
  id: string,
  now = Date.now(),
): Promise<ErasureDoc> {
  const userId = checkClientId(id, 'id');
  requireSelf(caller, userId);
  const tombstone = runtime.tombstones.hashOf(userId);
  let doc = await insertOnce<ErasureDoc>(runtime.Erasure, {
    _id: tombstone,
    userId,
    eventId: newEventId(now),
    requestedAt: now,
    publishedAt: null,
    services: {},
    completedAt: null,
  });
  // From here sign-ups with the id are refused.
  await runtime.tombstones.add(userId, now);
  if (!doc.services[SELF]) {
    const { deletedCount } = await runtime.User.deleteOne({ _id: userId });
    await runtime.Erasure.updateOne(
      { _id: tombstone, [`services.${SELF}`]: { $exists: false } },
      { $set: { [`services.${SELF}`]: { completedAt: Date.now(), removed: deletedCount } } },
    );
  }
  if (doc.publishedAt === null) await publishErasure(runtime, events, doc);
  doc = (await runtime.Erasure.findById(tombstone).lean<ErasureDoc>()) ?? doc;
  return doc;
}
