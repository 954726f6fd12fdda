import type { mongo } from 'mongoose';
import { replaceId } from '../erasure/tombstoneHash.js';

/**
 * Rewrites the retained documents of the given collections that hold `userId` (as a whole string or a
 * delimited part of one), putting `replacement` in its place; returns how many documents changed. A
 * scan of each collection: a batch job (erasure), never a request path. Collections stay small under
 * retention (EVENT_RETENTION_MS), dead letters aside.
 */
export async function redactRetained(
  collections: mongo.Collection<{ _id: string }>[],
  userId: string,
  replacement: string,
): Promise<number> {
  let redacted = 0;
  for (const collection of collections) {
    for await (const doc of collection.find({})) {
      if (!JSON.stringify(doc).includes(userId)) continue;
      const { value, changed } = replaceId(doc, userId, replacement);
      if (changed === 0) continue;
      const { _id, ...rest } = value as { _id: string } & Record<string, unknown>;
      await collection.replaceOne({ _id: doc._id }, rest);
      redacted++;
    }
  }
  return redacted;
}
