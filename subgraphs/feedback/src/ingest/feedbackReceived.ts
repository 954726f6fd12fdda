import { meshEvent } from '@attention-mesh/platform';
import type { FeedbackDoc } from '../models/index.js';

/** Announces a stored signal, keyed by its target; the free-text comment stays here. */
export function feedbackReceived(doc: FeedbackDoc) {
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
