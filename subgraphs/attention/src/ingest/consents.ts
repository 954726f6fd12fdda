import type { CatalogEvent } from '@attention-mesh/platform';
import type { AttentionRuntime } from '../runtime.js';

/**
 * Keeps the local copy of each user's analytics consent from `user.consent.changed` events. Idempotent
 * and order-safe: an older announcement never overwrites a newer one.
 */
export async function applyConsentEvent(
  models: AttentionRuntime,
  event: CatalogEvent<'user.consent.changed'>,
): Promise<void> {
  const userId = event.userId ?? event.key.id;
  const { analytics, updatedAt } = event.data;
  try {
    await models.Consent.updateOne(
      { _id: userId, updatedAt: { $lt: updatedAt } },
      { $set: { analytics, updatedAt } },
      { upsert: true },
    );
  } catch (err) {
    // The filter missed because a newer consent is stored: the upsert's insert hits the existing id.
    if ((err as { code?: number }).code !== 11000) throw err;
  }
}
