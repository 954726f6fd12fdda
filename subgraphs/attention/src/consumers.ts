import { type EventBus, type Subscription, subscribeEvents } from '@attention-mesh/platform';
import { applyFeedbackReceived } from './feedback/applyFeedback.js';
import { applyConsentEvent } from './ingest/consents.js';
import type { AttentionRuntime } from './runtime.js';

/**
 * The attention subgraph's event consumers: analytics consent from `user.consent.changed`, and the
 * click and dwell feedback of `feedback.received` folded into users' profiles (idempotent by feedback id).
 */
export function startConsumers(runtime: AttentionRuntime, events: EventBus): Subscription[] {
  return [
    subscribeEvents(events, 'attention.consents', ['user.consent.changed'], (event) =>
      applyConsentEvent(runtime, event),
    ),
    subscribeEvents(events, 'attention.feedback', ['feedback.received'], async (event) => {
      await applyFeedbackReceived(runtime, event);
    }),
  ];
}
