import { type EventBus, meshEvent, newId } from '@attention-mesh/platform';
import { checkFeedback, type SubmitFeedbackInput, summaryIncrement } from './feedbackRules.js';
import type { FeedbackDoc, FeedbackModels } from './models/index.js';

/**
 * Stores a signal once per client id and adds it to its target's summary. A repeated client id
 * returns the stored signal with `duplicate: true` and counts nothing.
 */
export async function submitFeedback(
  models: FeedbackModels,
  input: SubmitFeedbackInput,
  events?: EventBus,
  now = Date.now(),
): Promise<{ feedback: FeedbackDoc; duplicate: boolean }> {
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
    await models.Feedback.create(doc);
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    const stored = await models.Feedback.findOne({ clientId: input.clientId }).lean<FeedbackDoc>();
    if (!stored) throw err;
    return { feedback: stored, duplicate: true };
  }
  await models.summaries.add([[`${doc.targetType}:${doc.targetId}`, { $inc: summaryIncrement(doc) }]]);
  await events?.publish([feedbackReceived(doc)]);
  return { feedback: doc, duplicate: false };
}

function feedbackReceived(doc: FeedbackDoc) {
  return meshEvent(
    'feedback.received',
    { __typename: doc.targetType === 'ITEM' ? 'Item' : 'Ad', id: doc.targetId },
    {
      feedbackId: doc._id,
      kind: doc.kind,
      targetType: doc.targetType,
      targetId: doc.targetId,
      rating: doc.rating,
      dwellMs: doc.dwellMs,
      reason: doc.reason,
      occurredAt: doc.occurredAt,
    },
    { userId: doc.userId },
  );
}
