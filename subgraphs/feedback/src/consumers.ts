import {
  type EventBus,
  type Subscription,
  subscribeErasure,
  subscribeEvents,
} from '@attention-mesh/platform';
import { eraseUserFeedback } from './erasure/eraseUserFeedback.js';
import { countImpression } from './flagging/countImpression.js';
import type { FeedbackRuntime } from './runtime.js';

/**
 * The feedback subgraph's event consumers: ad impressions counted for the complaint rate, and the
 * erasure of a user's signals (`feedback.erasure`: the tombstone first, then the deletes, then
 * `user.erasure.completed`).
 */
export function startConsumers(runtime: FeedbackRuntime, events: EventBus): Subscription[] {
  return [
    subscribeEvents(events, 'feedback.impressions', ['ad.impression'], (e) =>
      countImpression(runtime, events, e),
    ),
    subscribeErasure(events, 'feedback', runtime.tombstones, (userId) => eraseUserFeedback(runtime, userId)),
  ];
}
