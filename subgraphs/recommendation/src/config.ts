import { configSection, type SectionOf, type ServiceConfig } from '@attention-mesh/platform';
import { z } from 'zod';

/** The recommendation subgraph's own settings (`REC_*`). */
export const recommendationConfig = configSection(
  z.object({
    REC_MMR_LAMBDA: z.coerce.number().min(0).max(1).default(0.7),
    REC_EXPOSURE_CAP: z.coerce.number().gt(0).max(1).default(0.02),
    REC_EXPOSURE_WINDOW: z.coerce.number().int().min(100).default(20_000),
    REC_MAX_BATCH: z.coerce.number().int().min(1).max(4096).default(128),
    REC_BATCH_WAIT_MS: z.coerce.number().min(0).max(1000).default(3),
    REC_REFRESH_MS: z.coerce.number().int().min(1000).default(60_000),
    REC_RETRAIN_AFTER_INTERACTIONS: z.coerce.number().int().min(1).max(100_000_000).default(1_000),
    REC_POSITIVE_RATING: z.coerce.number().int().min(1).max(5).default(4),
    REC_POSITIVE_DWELL_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
    REC_UPDATE_COALESCE_MS: z.coerce.number().int().min(0).max(60_000).default(250),
    REC_MODEL_FANOUT_USERS: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
    REC_ACTIVE_WINDOW_MS: z.coerce
      .number()
      .int()
      .min(60_000)
      .max(90 * 24 * 3_600_000)
      .default(24 * 3_600_000),
    REC_EXPLORATION_EPSILON: z.coerce.number().min(0).max(0.5).default(0.05),
    REC_REWARD_WINDOW_MS: z.coerce
      .number()
      .int()
      .min(1000)
      .max(24 * 3600_000)
      .default(30 * 60_000),
    REC_DECISION_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  }),
  (e) => ({
    recommendation: {
      /** MMR trade-off: 1 ranks by relevance only, 0 by novelty against what is already picked (default 0.7). */
      mmrLambda: e.REC_MMR_LAMBDA,
      /** Most share of recent exposures one item may hold before it is held back (default 0.02). */
      exposureCap: e.REC_EXPOSURE_CAP,
      /** How many recent exposures (served edges) the cap and the Gini look at (default 20,000). */
      exposureWindow: e.REC_EXPOSURE_WINDOW,
      /** Most requests in one forward pass; 1 turns the micro-batcher off (default 128). */
      maxBatch: e.REC_MAX_BATCH,
      /** How long the first request of a batch waits for others, ms (default 3). */
      batchWaitMs: e.REC_BATCH_WAIT_MS,
      /** How often the in-memory catalogue and popularity are re-read, ms (default 60 s). */
      refreshMs: e.REC_REFRESH_MS,
      /** New interactions after which the served model is stale and `retrain:rec` retrains it (default 1,000). */
      retrainAfterInteractions: e.REC_RETRAIN_AFTER_INTERACTIONS,
      /** A RATING of at least this (1-5) is a positive interaction, appended to the sequence (default 4). */
      positiveRating: e.REC_POSITIVE_RATING,
      /** A DWELL of at least this many ms is a positive interaction (default 10 s). */
      positiveDwellMs: e.REC_POSITIVE_DWELL_MS,
      /**
       * `recommendations.updated` is published at most once per user per this window (ms): the changes of
       * a burst coalesce into one event, sent at the window's end (default 250 ms; 0 publishes at once).
       */
      updateCoalesceMs: e.REC_UPDATE_COALESCE_MS,
      /** Most users told `recommendations.updated` (MODEL) when a new model is swapped in (default 10,000). */
      modelFanoutUsers: e.REC_MODEL_FANOUT_USERS,
      /** Users active (sequence changed or recommendations read) within this window get the MODEL fan-out (default 24 h). */
      activeWindowMs: e.REC_ACTIVE_WINDOW_MS,
      /**
       * Per-position exploration of the served pages (0..0.5, default 0.05; 0 turns it off): each
       * position shows a random item from below the page with this probability, logged with its
       * propensity for off-policy evaluation.
       */
      explorationEpsilon: e.REC_EXPLORATION_EPSILON,
      /** A click, like or dwell counts as the reward of the latest page showing the item this long before (default 30 min). */
      rewardWindowMs: e.REC_REWARD_WINDOW_MS,
      /** Days logged decisions and rewards are kept (default 30). */
      decisionRetentionDays: e.REC_DECISION_RETENTION_DAYS,
    },
  }),
);

export type RecommendationConfig = ServiceConfig & SectionOf<typeof recommendationConfig>;
