import {
  type EventBus,
  type Subscription,
  subscribeErasure,
  subscribeEvents,
} from '@attention-mesh/platform';
import { eraseAttentionUser } from './erasure/eraseAttentionUser.js';
import { applyFeedbackReceived } from './feedback/applyFeedback.js';
import { applyConsentEvent } from './ingest/consents.js';
import type { AttentionRuntime } from './runtime.js';

/**
 * The attention subgraph's event consumers: analytics consent from `user.consent.changed`, and the
 * click and dwell feedback of `feedback.received` folded into users' profiles (idempotent by feedback id;
 * an erased user's is dropped), and the erasure of a user (`user.erased`).
 */
export function startConsumers(runtime: AttentionRuntime, events: EventBus): Subscription[] {
  return [
    subscribeEvents(events, 'attention.consents', ['user.consent.changed'], (event) =>
      applyConsentEvent(runtime, event),
    ),
    subscribeEvents(events, 'attention.feedback', ['feedback.received'], async (event) => {
      if (event.userId && (await runtime.tombstones.isErased(event.userId))) return;
      await applyFeedbackReceived(runtime, event);
    }),
    subscribeErasure(events, 'attention', runtime.tombstones, (userId) =>
      eraseAttentionUser(runtime, userId),
    ),
  ];
}
