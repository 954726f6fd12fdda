import { type EventBus, type Subscription, subscribeEvents } from '@attention-mesh/platform';
import type { RecommendationRuntime } from '../runtime.js';
import { latestDecisionShowing, REWARD_KINDS } from './rewardJoin.js';

/**
 * Rewards of the recommendation decision log: a `feedback.received` CLICK, LIKE or DWELL on an item
 * by a signed-in user is stored once (`fb:<feedbackId>`: a redelivered event changes nothing), joined
 * to the latest decision of this process that showed the item to that user within
 * `REC_REWARD_WINDOW_MS`; one not found here (made by another replica, or before a restart) is joined
 * by the export with the same rule. An erased user's feedback is dropped (the erasure consumer,
 * `recommendation.erasure`, deletes their decisions and rewards).
 */
export function startRewardConsumer(runtime: RecommendationRuntime, events: EventBus): Subscription {
  const log = runtime.decisions;
  return subscribeEvents(events, 'recommendation.rewards', ['feedback.received'], async (event) => {
    const { data } = event;
    if (!event.userId || data.targetType !== 'ITEM' || !REWARD_KINDS.has(data.kind)) return;
    if (await runtime.tombstones.isErased(event.userId)) return;
    const join = latestDecisionShowing(
      log.recentFor(event.userId),
      data.targetId,
      data.occurredAt,
      log.settings.rewardWindowMs,
    );
    await log.models.RecReward.updateOne(
      { _id: `fb:${data.feedbackId}` },
      {
        $setOnInsert: {
          userId: event.userId,
          itemId: data.targetId,
          kind: data.kind,
          at: data.occurredAt,
          decisionId: join?.decisionId ?? null,
          position: join?.position ?? null,
        },
      },
      { upsert: true },
    );
  });
}
