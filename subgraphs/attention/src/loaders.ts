import { keyedLoader } from '@attention-mesh/platform';
import DataLoader from 'dataloader';
import { type EngagementPrediction, predictEngagement } from './engagement/engagement.js';
import type { FeedbackSignalsDoc } from './feedback/feedbackSignals.js';
import type { AttentionProfileDoc, AttentionTotalDoc } from './models/index.js';
import type { MemoryView } from './projection/memoryView.js';
import type { AttentionRuntime } from './runtime.js';

/** From the collection held in memory when it is, else one query for the batch. */
function viewOrQuery<T extends { _id: string }>(
  view: MemoryView<T>,
  query: (ids: readonly string[]) => Promise<T[]>,
): DataLoader<string, T | null> {
  const fromDb = keyedLoader<string, T>(query, (doc) => doc._id);
  return new DataLoader<string, T | null>(async (ids) => view.getMany(ids) ?? fromDb.loadMany(ids));
}

export function createLoaders(models: AttentionRuntime) {
  const profile = viewOrQuery(models.memory.profiles, (ids) =>
    models.AttentionProfile.find({ _id: { $in: ids } }).lean<AttentionProfileDoc[]>(),
  );
  return {
    /** Totals by `${dim}|${id}` (USER, ITEM, AD, PLACEMENT): one query per batch, whatever the kinds. */
    total: viewOrQuery(models.memory.totals, (keys) =>
      models.AttentionTotal.find({ _id: { $in: keys } }).lean<AttentionTotalDoc[]>(),
    ),
    profile,
    /** Users' feedback signals by user id (one `$in` read per batch; people read only their own). */
    feedback: keyedLoader<string, FeedbackSignalsDoc>(
      (ids) => models.AttentionFeedback.find({ _id: { $in: ids } }).lean<FeedbackSignalsDoc[]>(),
      (doc) => doc._id,
    ),
    /** Predictions by `${userId}|${hour}`: the model when one is loaded, the baseline otherwise. */
    engagement: new DataLoader<string, EngagementPrediction>(async (keys) => {
      const requests = keys.map((k) => {
        const i = k.lastIndexOf('|');
        return { userId: k.slice(0, i), at: Number(k.slice(i + 1)) };
      });
      const profiles = await profile.loadMany(requests.map((r) => r.userId));
      return predictEngagement(
        requests,
        profiles.map((p) => (p instanceof Error ? null : p)),
        models.engagement.current(),
      );
    }),
  };
}
export type AttentionLoaders = ReturnType<typeof createLoaders>;
