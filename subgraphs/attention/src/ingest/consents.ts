import type { CatalogEvent } from '@attention-mesh/platform';
import type { AttentionRuntime } from '../runtime.js';

/** Keeps each user's analytics consent from `user.consent.changed` (the newest announcement wins). */
export async function applyConsentEvent(
  models: Pick<AttentionRuntime, 'consents'>,
  event: CatalogEvent<'user.consent.changed'>,
): Promise<void> {
  const { analytics, updatedAt } = event.data;
  await models.consents.apply(event.userId ?? event.key.id, { analytics }, updatedAt);
}
