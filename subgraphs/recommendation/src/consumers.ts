import { type EventBus, type Subscription, subscribeEvents } from '@attention-mesh/platform';
import type { RecommendationRuntime } from './runtime.js';
import { changeFromAttention, changeFromFeedback } from './sequences/sequenceChange.js';
import { applySequenceChange, ensureUser } from './sequences/sequenceStore.js';

/**
 * Keeps users' sequences current: `user.created` makes a user known, `attention.recorded` appends the
 * items they engaged with, `feedback.received` appends interactions and hides items. Handlers are
 * idempotent (by event id and feedback id, see sequenceStore).
 */
export function startConsumers(runtime: RecommendationRuntime, events: EventBus): Subscription {
  return subscribeEvents(
    events,
    'recommendation.sequences',
    ['user.created', 'attention.recorded', 'feedback.received'],
    async (event) => {
      if (event.type === 'user.created') {
        await ensureUser(runtime.UserSequence, runtime.users, event.key.id);
        return;
      }
      const change =
        event.type === 'attention.recorded' ? changeFromAttention(event) : changeFromFeedback(event);
      if (change) await applySequenceChange(runtime, change);
    },
  );
}
