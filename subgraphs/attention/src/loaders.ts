import { keyedLoader } from '@attention-mesh/platform';
import DataLoader from 'dataloader';
import { type EngagementPrediction, predictEngagement } from './engagement.js';
import type { AttentionProfileDoc, AttentionTotalDoc } from './models/index.js';
import type { AttentionModels } from './server.js';

export function createLoaders(models: AttentionModels) {
  const profile = keyedLoader<string, AttentionProfileDoc>(
    async (ids) => models.AttentionProfile.find({ _id: { $in: ids } }).lean<AttentionProfileDoc[]>(),
    (doc) => doc._id,
  );
  return {
    /** Totals by `${dim}|${id}` (USER, ITEM, AD, PLACEMENT): one query per batch, whatever the kinds. */
    total: keyedLoader<string, AttentionTotalDoc>(
      async (keys) => models.AttentionTotal.find({ _id: { $in: keys } }).lean<AttentionTotalDoc[]>(),
      (doc) => doc._id,
    ),
    profile,
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
