import DataLoader from 'dataloader';
import type { FeedbackDoc, FeedbackSummaryDoc } from './models/index.js';
import type { FeedbackRuntime } from './runtime.js';

/**
 * Documents by `_id`, one exact `findById` per key (in parallel): the embedded database indexes an
 * exact `_id` filter only, and answers an `$in` by reading the whole collection.
 */
function exactIdLoader<V>(model: { findById(id: string): { lean<T>(): PromiseLike<T | null> } }) {
  return new DataLoader<string, V | null>((ids) =>
    Promise.all(ids.map((id) => model.findById(id).lean<V>())),
  );
}

export function createLoaders(runtime: FeedbackRuntime) {
  return {
    feedback: exactIdLoader<FeedbackDoc>(runtime.Feedback),
    /** Summaries by `${type}:${id}`. */
    summary: exactIdLoader<FeedbackSummaryDoc>(runtime.FeedbackSummary),
  };
}
export type FeedbackLoaders = ReturnType<typeof createLoaders>;
