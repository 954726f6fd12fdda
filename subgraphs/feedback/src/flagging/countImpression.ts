import { type CatalogEvent, type EventBus, insertNew } from '@attention-mesh/platform';
import type { FeedbackRuntime } from '../runtime.js';

/**
 * An `ad.impression` adds one to its ad's impressions, once per decision (a stored `imp:` key, so a
 * redelivery or replay after a restart counts nothing), then the ad's complaint rate is judged again.
 */
export async function countImpression(
  runtime: FeedbackRuntime,
  events: EventBus,
  event: CatalogEvent<'ad.impression'>,
): Promise<void> {
  const { decisionId, adId } = event.data;
  if ((await insertNew(runtime.FeedbackSeen, [{ _id: `imp:${decisionId}` }])).length === 0) return;
  await runtime.summaries.add([[`AD:${adId}`, { $inc: { impressions: 1 } }]]);
  await runtime.flags.check(adId, events);
}
