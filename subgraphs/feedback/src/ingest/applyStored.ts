import type { CounterUpdate, EventBus } from '@attention-mesh/platform';
import type { FeedbackDoc } from '../models/index.js';
import { summaryIncrement } from '../rules/feedbackRules.js';
import type { FeedbackRuntime } from '../runtime.js';
import { feedbackReceived } from './feedbackReceived.js';

/**
 * What follows the insert of newly stored signals (never duplicates): their targets' summaries (one
 * bulk upsert, merged by target), the users' indexes, one publish of their `feedback.received`, and
 * the complaint check of the ads complained about. Resolves once all of it is written.
 */
export async function applyStored(runtime: FeedbackRuntime, events: EventBus, stored: FeedbackDoc[]) {
  if (stored.length === 0) return;
  const updates: [string, CounterUpdate][] = stored.map((d) => [
    `${d.targetType}:${d.targetId}`,
    { $inc: summaryIncrement(d) },
  ]);
  await Promise.all([runtime.summaries.add(updates), runtime.userIndex.append(stored)]);
  await events.publish(stored.map(feedbackReceived));
  const complainedAds = new Set(
    stored.filter((d) => d.targetType === 'AD' && d.kind === 'COMPLAINT').map((d) => d.targetId),
  );
  await Promise.all([...complainedAds].map((adId) => runtime.flags.check(adId, events)));
}
