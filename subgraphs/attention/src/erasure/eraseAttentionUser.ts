import type { AttentionRuntime } from '../runtime.js';

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Deletes what attention holds of a user: raw events, views, the USER rollups and total, the profile,
 * sessions, the analytics consent, the feedback signals and the privacy units (user-days), in the database and in memory. Waits for
 * the projection first, so nothing of theirs is written after (the tombstone, stored before, keeps new
 * events out). The other rollups (category, item, ad, placement, country, device) are aggregates and
 * stay. Filters other than `_id` scan their collection: an erasure job, not a request path. Returns the
 * documents deleted.
 */
export async function eraseAttentionUser(runtime: AttentionRuntime, userId: string): Promise<number> {
  await runtime.projection.idle();
  const views = await runtime.AttentionView.find({ userId }, { _id: 1 }).lean<{ _id: string }[]>();
  for (const v of views) runtime.viewCache.delete(v._id);
  runtime.memory.totals.forget(`USER|${userId}`);
  runtime.memory.profiles.forget(userId);
  runtime.memory.rollups.forgetValue('USER', userId);
  const results = await Promise.all([
    runtime.AttentionEvent.deleteMany({ userId }),
    runtime.AttentionView.deleteMany({ userId }),
    runtime.AttentionRollup.deleteMany({ dim: 'USER', value: userId }),
    runtime.AttentionTotal.deleteOne({ _id: `USER|${userId}` }),
    runtime.AttentionProfile.deleteOne({ _id: userId }),
    runtime.AttentionSession.deleteMany({ _id: { $regex: `^${escapeRegex(userId)}\\|` } }),
    runtime.consents.erase(userId).then((deletedCount) => ({ deletedCount })),
    runtime.AttentionFeedback.deleteOne({ _id: userId }),
    runtime.dpDays.erase(userId).then((deletedCount) => ({ deletedCount })),
  ]);
  return results.reduce((n, r) => n + r.deletedCount, 0);
}
