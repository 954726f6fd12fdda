import type { CatalogEvent } from '@attention-mesh/platform';
import type { AttentionRuntime } from '../runtime.js';

/** Keeps each user's analytics consent from `user.consent.changed` (the newest announcement wins). */
export async function applyConsentEvent(
  models: Pick<AttentionRuntime, 'consents' | 'tombstones'>,
  event: CatalogEvent<'user.consent.changed'>,
): Promise<void> {
  const { analytics, updatedAt } = event.data;
  const userId = event.userId ?? event.key.id;
  // None is stored for an erased user (an announcement delivered after the erasure would bring the id back).
  if (await models.tombstones.isErased(userId)) return;
  await models.consents.apply(userId, { analytics }, updatedAt);
}
