import { type EventBus, type Subscription, subscribeEvents } from '@attention-mesh/platform';
import type { RecommendationRuntime } from '../runtime.js';

/**
 * Personalisation consent from `user.consent.changed`: the next recommendation request after the event
 * is applied follows it (the store drops its cached entry with the write, and rankings are cached apart
 * for personalised and non-personalised pages). None is stored for an erased user (an announcement
 * delivered after the erasure would otherwise bring their id back). A change of personalisation
 * announces `recommendations.updated` (`CONSENT`) to the user's subscribers.
 */
export function startConsentConsumer(runtime: RecommendationRuntime, events: EventBus): Subscription {
  return subscribeEvents(events, 'recommendation.consents', ['user.consent.changed'], async (event) => {
    const userId = event.userId ?? event.key.id;
    if (await runtime.tombstones.isErased(userId)) return;
    const before = await runtime.consents.allows(userId, 'personalization');
    await runtime.consents.apply(userId, event.data, event.data.updatedAt);
    if ((await runtime.consents.allows(userId, 'personalization')) !== before)
      runtime.notifier?.notify(userId, 'CONSENT');
  });
}
