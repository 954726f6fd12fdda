import { FEEDBACK_KINDS } from '../rules/feedbackRules.js';
import type { FeedbackRuntime } from '../runtime.js';

/**
 * Erasure of one user's feedback: their signals and their per-user index entries are deleted; the
 * per-target summaries and ad flags are aggregates over many users (no user id in them) and stay.
 * Deleting the signals filters on `userId`, a scan on the embedded database: acceptable in an erasure
 * job, never on a request path. Idempotent: a second run finds nothing. Returns the documents deleted.
 */
export async function eraseUserFeedback(runtime: FeedbackRuntime, userId: string): Promise<number> {
  const entries = await runtime.userIndex.erase(userId, FEEDBACK_KINDS);
  const signals = await runtime.Feedback.deleteMany({ userId });
  return entries + signals.deletedCount;
}
