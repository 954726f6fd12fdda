import type { UserSequenceDoc } from '../models/UserSequence.js';

/**
 * A stored user with every list present (imports upsert with `$setOnInsert`, which the embedded database
 * does not always apply next to `$set`).
 */
export function normalizeUser(doc: Partial<UserSequenceDoc> & { _id: string }): UserSequenceDoc {
  return {
    _id: doc._id,
    items: doc.items ?? [],
    hidden: doc.hidden ?? [],
    applied: doc.applied ?? [],
    version: doc.version ?? 0,
    updatedAt: doc.updatedAt ?? 0,
  };
}
