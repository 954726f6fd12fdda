import { type EventBus, type Subscription, subscribeEvents } from '@attention-mesh/platform';
import type { RecommendationRuntime } from '../runtime.js';

/**
 * Personalisation consent from `user.consent.changed`: the next recommendation request after the event
 * is applied follows it (the store drops its cached entry with the write, and rankings are cached apart
 * for personalised and non-personalised pages).
 */
export function startConsentConsumer(runtime: RecommendationRuntime, events: EventBus): Subscription {
  return subscribeEvents(events, 'recommendation.consents', ['user.consent.changed'], (event) =>
    runtime.consents.apply(event.userId ?? event.key.id, event.data, event.data.updatedAt),
  );
}
