import { byIdLoader, keyedLoader } from '@attention-mesh/platform';
import type { FeedbackDoc, FeedbackSummaryDoc } from './models/index.js';
import type { FeedbackRuntime } from './runtime.js';

export function createLoaders(runtime: FeedbackRuntime) {
  return {
    feedback: byIdLoader<FeedbackDoc>(runtime.Feedback),
    /** Summaries by `${type}:${id}`, one query per batch. */
    summary: keyedLoader<string, FeedbackSummaryDoc>(
      async (keys) => runtime.FeedbackSummary.find({ _id: { $in: keys } }).lean<FeedbackSummaryDoc[]>(),
      (doc) => doc._id,
    ),
  };
}
export type FeedbackLoaders = ReturnType<typeof createLoaders>;
