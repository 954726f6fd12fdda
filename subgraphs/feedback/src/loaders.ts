import { byIdLoader, keyedLoader } from '@attention-mesh/platform';
import type { FeedbackDoc, FeedbackModels, FeedbackSummaryDoc } from './models/index.js';

export function createLoaders(models: FeedbackModels) {
  return {
    feedback: byIdLoader<FeedbackDoc>(models.Feedback),
    /** Summaries by `${type}:${id}`, one query per batch. */
    summary: keyedLoader<string, FeedbackSummaryDoc>(
      async (keys) => models.FeedbackSummary.find({ _id: { $in: keys } }).lean<FeedbackSummaryDoc[]>(),
      (doc) => doc._id,
    ),
  };
}
export type FeedbackLoaders = ReturnType<typeof createLoaders>;
