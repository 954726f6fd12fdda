import type { CatalogEvent, KeyedLock } from '@attention-mesh/platform';
import type { AttentionRuntime } from '../runtime.js';
import { type FeedbackSignalsDoc, foldFeedback, NO_SIGNALS } from './feedbackSignals.js';

const EMPTY = { ...NO_SIGNALS, applied: [] as string[], version: 0 };

/**
 * Folds one `feedback.received` into the user's feedback signals: read by `_id`, changed in code,
 * written back on the condition that nobody wrote in between (the version), retried when someone did
 * (no lost updates, unlike `$inc` on the embedded database). Idempotent by feedback id. A user who has
 * withdrawn analytics consent gets nothing folded (as their attention events are dropped). Returns
 * whether the signals changed.
 */
export async function applyFeedbackReceived(
  models: Pick<AttentionRuntime, 'AttentionFeedback' | 'consents'> & { feedbackLock: KeyedLock },
  event: CatalogEvent<'feedback.received'>,
): Promise<boolean> {
  const userId = event.userId;
  if (!userId) return false;
  if (foldFeedback(EMPTY, event.data) === null) return false;
  if (!(await models.consents.allows(userId, 'analytics'))) return false;
  return models.feedbackLock.run([userId], async () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const found = await models.AttentionFeedback.findById(userId).lean<FeedbackSignalsDoc>();
      const next = foldFeedback(found ?? EMPTY, event.data);
      if (!next) return false;
      if (!found) {
        try {
          await models.AttentionFeedback.create({ _id: userId, ...next });
          return true;
        } catch (err) {
          if ((err as { code?: number }).code === 11000) continue;
          throw err;
        }
      }
      const res = await models.AttentionFeedback.updateOne(
        { _id: userId, version: found.version },
        { $set: next },
      );
      if (res.matchedCount > 0) return true;
    }
    throw new Error(`user ${userId}: too many concurrent feedback updates`);
  });
}
