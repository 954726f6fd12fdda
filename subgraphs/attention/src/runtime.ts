import { ConsentStore, KeyedLock, LruCache, TombstoneStore } from '@attention-mesh/platform';
import type { Connection } from 'mongoose';
import type { AttentionConfig } from './config.js';
import type { EngagementPredictor } from './engagement/engagement.js';
import type { ViewState } from './metrics/attentionMetrics.js';
import { type AttentionProfileDoc, type AttentionTotalDoc, attentionModels } from './models/index.js';
import { DpDays } from './privacy/dpDays.js';
import { MemoryView } from './projection/memoryView.js';
import { Projection } from './projection/projection.js';
import { RollupIndex } from './projection/rollupIndex.js';

/** The attention subgraph's per-process state, built once at boot; what the use cases take. */
export function createRuntime(conn: Connection, config: AttentionConfig) {
  const models = attentionModels(conn);
  let predictor: EngagementPredictor | null = null;
  const memory = {
    totals: new MemoryView<AttentionTotalDoc>('totals', config.attention.memoryDocs),
    profiles: new MemoryView<AttentionProfileDoc>('profiles', config.attention.memoryDocs),
    rollups: new RollupIndex(config.attention.memoryRollups),
  };
  return {
    ...models,
    settings: config.attention,
    config,
    /**
     * Totals, profiles and rollups held whole in memory, current with every accepted batch (see
     * MemoryView, RollupIndex).
     */
    memory,
    /** Writes everything derived from the stored events (views, rollups, totals, profiles, sessions) behind. */
    projection: new Projection(models, {
      maxPending: config.attention.maxPendingBatches,
      knowsEveryView: config.attention.singleWriter,
      servedFromMemory: { totals: () => memory.totals.active, profiles: () => memory.profiles.active },
      onNewSessions: (counts) => memory.profiles.apply(counts),
    }),
    /**
     * Analytics consent from `user.consent.changed`. A user never announced (imported data sets, ids
     * the users subgraph does not know) has their events stored: only a withdrawal drops them.
     */
    consents: new ConsentStore(models.Consent, { flags: ['analytics'], whenUnknown: { analytics: true } }),
    /** Erased user ids: their events are refused, their feedback dropped. */
    tombstones: new TombstoneStore(conn, config.erasureSecret),
    /** What each user-day has contributed to the clipped sums partners are answered from. */
    dpDays: new DpDays(models.DpDay, config.dp.bounds, config.attention.singleWriter),
    /** Feedback folds of one user take turns (see applyFeedbackReceived). */
    feedbackLock: new KeyedLock(),
    /** Batches touching the same view take turns. */
    viewLock: new KeyedLock(),
    /** States of recently measured views, as stored. */
    viewCache: new LruCache<string, ViewState>(100_000),
    engagement: {
      current: () => predictor,
      swap: (next: EngagementPredictor | null) => {
        predictor = next;
      },
    },
  };
}
export type AttentionRuntime = ReturnType<typeof createRuntime>;
