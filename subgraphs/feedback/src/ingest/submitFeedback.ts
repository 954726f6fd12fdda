import { type Caller, type EventBus, newId, requireSelf } from '@attention-mesh/platform';
import type { FeedbackDoc } from '../models/index.js';
import { checkFeedback, type FeedbackSignal, summaryIncrement } from '../rules/feedbackRules.js';
import type { FeedbackRuntime } from '../runtime.js';
import { feedbackReceived } from './feedbackReceived.js';

/**
 * Stores a signal once per client id and adds it to its target's summary. A repeated client id
 * returns the stored signal with `duplicate: true` and counts nothing. A person sends only their own
 * signals (an admin anyone's): checked before anything else.
 */
export async function submitFeedback(
  runtime: FeedbackRuntime,
  events: EventBus,
  caller: Caller,
  input: FeedbackSignal,
  now = Date.now(),
): Promise<{ feedback: FeedbackDoc; duplicate: boolean }> {
  requireSelf(caller, input.userId, 'this userId');
  const occurredAt = checkFeedback(input, now);
  const doc: FeedbackDoc = {
    _id: newId('fbk', now),
    clientId: input.clientId,
    userId: input.userId,
    targetType: input.target.type,
    targetId: input.target.id,
    kind: input.kind,
    rating: input.rating ?? null,
    dwellMs: input.dwellMs ?? null,
    reason: input.reason ?? null,
    comment: input.comment ?? null,
    occurredAt,
    receivedAt: now,
  };
  try {
    await runtime.Feedback.create(doc);
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    const stored = await runtime.Feedback.findOne({ clientId: input.clientId }).lean<FeedbackDoc>();
    if (!stored) throw err;
    return { feedback: stored, duplicate: true };
  }
  await runtime.summaries.add([[`${doc.targetType}:${doc.targetId}`, { $inc: summaryIncrement(doc) }]]);
  await events.publish([feedbackReceived(doc)]);
  return { feedback: doc, duplicate: false };
}
