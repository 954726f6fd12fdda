import { CounterWriter, TombstoneStore } from '@attention-mesh/platform';
import type { Connection } from 'mongoose';
import type { FeedbackConfig } from './config.js';
import { AdFlagger } from './flagging/adFlagger.js';
import { UserFeedbackIndex } from './history/userFeedbackIndex.js';
import { feedbackModels } from './models/index.js';

/**
 * The per-process state of the feedback subgraph: its models, the writer that folds the summary
 * `$inc`s (a burst on one target is a few writes rather than one per signal), the users' indexes and
 * the complaint flagger. One process writes a database's feedback (as the counter writer needs on the
 * embedded database).
 */
export function createRuntime(conn: Connection, config: FeedbackConfig) {
  const models = feedbackModels(conn);
  return {
    ...models,
    settings: config.feedback,
    summaries: new CounterWriter(models.FeedbackSummary),
    userIndex: new UserFeedbackIndex(models.FeedbackUserIndex),
    flags: new AdFlagger(models, config.feedback.flagging),
    /** Erased user ids (keyed hashes): their signals are refused, and `user.erased` is handled once. */
    tombstones: new TombstoneStore(conn, config.erasureSecret),
  };
}
export type FeedbackRuntime = ReturnType<typeof createRuntime>;
