import {
  type EventBus,
  type Subscription,
  subscribeErasure,
  subscribeEvents,
} from '@attention-mesh/platform';
import { eraseUserRecommendations } from './erasure/eraseUserRecommendations.js';
import type { RecommendationRuntime } from './runtime.js';
import { changeFromAttention, changeFromFeedback, updateReason } from './sequences/sequenceChange.js';
import { applySequenceChange, ensureUser } from './sequences/sequenceStore.js';

/**
 * Keeps users' sequences current: `user.created` makes a user known, `attention.recorded` appends the
 * items they engaged with, `feedback.received` appends positive interactions and hides items (rules in
 * sequenceChange.ts). Handlers are idempotent (by event id and feedback id, see sequenceStore). A change
 * applied closes the loop: it counts towards the served model's staleness and announces
 * `recommendations.updated` for the user (coalesced, see UpdateNotifier). Events of an erased user are
 * dropped: one published before the erasure and delivered after it must not recreate their sequence.
 */
export function startConsumers(runtime: RecommendationRuntime, events: EventBus): Subscription {
  const rules = {
    positiveRating: runtime.settings.positiveRating,
    positiveDwellMs: runtime.settings.positiveDwellMs,
  };
  return subscribeEvents(
    events,
    'recommendation.sequences',
    ['user.created', 'attention.recorded', 'feedback.received'],
    async (event) => {
      const userId = event.type === 'user.created' ? event.key.id : event.userId;
      if (userId && (await runtime.tombstones.isErased(userId))) return;
      if (event.type === 'user.created') {
        await ensureUser(runtime.UserSequence, runtime.users, event.key.id);
        return;
      }
      const change =
        event.type === 'attention.recorded' ? changeFromAttention(event) : changeFromFeedback(event, rules);
      if (!change || !(await applySequenceChange(runtime, change))) return;
      const reason = updateReason(change);
      if (reason) runtime.notifier?.notify(change.userId, reason);
      // Not awaited: the count is a retraining trigger, batched by its writer across events, and a
      // failed write of it must not hold the sequences back (nor redeliver an applied change).
      runtime.staleness.add(runtime.holder.current?.version ?? null, change.append.length).catch(() => {});
    },
  );
}

/**
 * `recommendation.erasure`: the tombstone first (the consumers above then drop the user's events), then
 * the user's sequence, decisions and rewards, then `user.erasure.completed` (see subscribeErasure).
 */
export function startErasureConsumer(runtime: RecommendationRuntime, events: EventBus): Subscription {
  return subscribeErasure(events, 'recommendation', runtime.tombstones, (userId) =>
    eraseUserRecommendations(runtime, userId),
  );
}
