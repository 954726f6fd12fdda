import type { RecommendationRuntime } from '../runtime.js';

/**
 * Erasure of one user in recommendation: their sequence (recent items, hidden items, applied ids), their
 * logged decisions and rewards, and what this process holds of them (cached sequence, activity, pending
 * announcement) and their consent. Item popularity, model staleness and the trained model weights are aggregates over
 * everyone (not personal data) and stay. The sequence is read-modify-written under the user's lock, so
 * the delete takes the same lock; the decision and reward deletes filter on `userId` (a scan on the
 * embedded database: an erasure job, never a request path). Idempotent. Returns the documents deleted.
 */
export async function eraseUserRecommendations(
  runtime: RecommendationRuntime,
  userId: string,
): Promise<number> {
  const sequence = await runtime.userLock.run([userId], async () => {
    const res = await runtime.UserSequence.deleteOne({ _id: userId });
    runtime.users.erase(userId);
    return res.deletedCount;
  });
  runtime.notifier?.cancel(userId);
  return sequence + (await runtime.consents.erase(userId)) + (await runtime.decisions.forget(userId));
}
