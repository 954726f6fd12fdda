import { CounterWriter } from '@attention-mesh/platform';
import type { Connection } from 'mongoose';
import { feedbackModels } from './models/index.js';

/**
 * The per-process state of the feedback subgraph: its models and the writer that folds the summary
 * `$inc`s, so a burst on one target is a few writes rather than one per signal.
 */
export function createRuntime(conn: Connection) {
  const models = feedbackModels(conn);
  return { ...models, summaries: new CounterWriter(models.FeedbackSummary) };
}
export type FeedbackRuntime = ReturnType<typeof createRuntime>;
