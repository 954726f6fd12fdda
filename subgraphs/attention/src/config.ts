import { configSection, type SectionOf, type ServiceConfig } from '@attention-mesh/platform';
import { z } from 'zod';
import type { DpBounds } from './privacy/dpMeasures.js';

/** The attention subgraph's own settings (`ATTENTION_*`). */
export const attentionConfig = configSection(
  z.object({
    ATTENTION_MAX_BATCH: z.coerce.number().int().min(1).max(10_000).default(1000),
    ATTENTION_HALF_LIFE_DAYS: z.coerce.number().positive().default(7),
    ATTENTION_MAX_PENDING_BATCHES: z.coerce.number().int().min(1).max(10_000).default(32),
    ATTENTION_MEMORY_DOCS: z.coerce.number().int().min(0).default(200_000),
    ATTENTION_MEMORY_ROLLUPS: z.coerce.number().int().min(0).default(2_000_000),
    ATTENTION_SINGLE_WRITER: z.enum(['true', 'false']).default('true'),
    ATTENTION_RETENTION_DAYS: z.coerce.number().int().min(8).max(3650).default(90),
    ATTENTION_RETENTION_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 86_400_000)
      .default(6 * 3_600_000),
    DP_MIN_USERS: z.coerce.number().int().min(1).max(10_000).default(10),
    DP_MAX_EVENTS_PER_DAY: z.coerce.number().int().min(1).max(100_000).default(200),
    DP_MAX_IMPRESSIONS_PER_DAY: z.coerce.number().int().min(1).max(100_000).default(50),
    DP_MAX_CLICKS_PER_DAY: z.coerce.number().int().min(1).max(100_000).default(10),
    DP_MAX_SECONDS_PER_DAY: z.coerce.number().int().min(1).max(86_400).default(1800),
  }),
  (e) => ({
    attention: {
      /** Most events one recordAttention call may carry (default 1,000). */
      maxBatch: e.ATTENTION_MAX_BATCH,
      /** Half-life of the category shares in a user's attention profile, in days (default 7). */
      halfLifeDays: e.ATTENTION_HALF_LIFE_DAYS,
      /**
       * Stored batches whose derived data (rollups, totals, profiles, views) may still be waiting to be
       * written before ingestion waits for it (default 32).
       */
      maxPendingBatches: e.ATTENTION_MAX_PENDING_BATCHES,
      /**
       * Totals and profiles held in memory (each collection whole, for reads without a database round
       * trip) while each has at most this many documents (default 200,000; 0 turns it off). Only with
       * `singleWriter`.
       */
      memoryDocs: e.ATTENTION_SINGLE_WRITER === 'true' ? e.ATTENTION_MEMORY_DOCS : 0,
      /**
       * Hourly rollups held in memory, bucketed by dimension and hour, so analyst reads
       * (attentionSeries, attentionBreakdown) need no query, while there are at most this many (default
       * 2,000,000, about 2 KB each; 0 turns it off). Only with `singleWriter`: otherwise, and past it,
       * every read is a query (on the embedded database a scan of the whole collection).
       */
      memoryRollups: e.ATTENTION_SINGLE_WRITER === 'true' ? e.ATTENTION_MEMORY_ROLLUPS : 0,
      /**
       * Whether this process is the only one ingesting into its database (default true: the embedded
       * database, docker-compose). Then it keeps totals and profiles in memory and knows which views were
       * never stored. Set false when several replicas ingest (ATTENTION_SINGLE_WRITER=false).
       */
      singleWriter: e.ATTENTION_SINGLE_WRITER === 'true',
      /**
       * Age in days past which raw events, view states and sessions are swept (default 90; at least 8,
       * since events up to 7 days old are still accepted). Rollups and totals stay (see README, Retention).
       */
      retentionDays: e.ATTENTION_RETENTION_DAYS,
      /**
       * How often the service runs the retention sweep itself, in ms (default 6 h; 0 = never, e.g. when a
       * CronJob runs `npm run sweep:attention` instead).
       */
      retentionIntervalMs: e.ATTENTION_RETENTION_INTERVAL_MS,
    },
    dp: {
      /** Groups with fewer contributing users than this are suppressed for partners (DP_MIN_USERS, default 10). */
      minUsers: e.DP_MIN_USERS,
      /**
       * What one privacy unit (a user's UTC day) contributes at most to each measure partners see:
       * events (DP_MAX_EVENTS_PER_DAY, default 200); impressions, viewable impressions, dwells and 50 %
       * scrolls (DP_MAX_IMPRESSIONS_PER_DAY, default 50); clicks (DP_MAX_CLICKS_PER_DAY, default 10);
       * time in view, engaged and dwell time (DP_MAX_SECONDS_PER_DAY, default 1,800 s, kept in ms).
       */
      bounds: {
        events: e.DP_MAX_EVENTS_PER_DAY,
        impressions: e.DP_MAX_IMPRESSIONS_PER_DAY,
        viewable: e.DP_MAX_IMPRESSIONS_PER_DAY,
        dwells: e.DP_MAX_IMPRESSIONS_PER_DAY,
        scroll50: e.DP_MAX_IMPRESSIONS_PER_DAY,
        clicks: e.DP_MAX_CLICKS_PER_DAY,
        timeInViewMs: e.DP_MAX_SECONDS_PER_DAY * 1000,
        engagedMs: e.DP_MAX_SECONDS_PER_DAY * 1000,
        dwellMs: e.DP_MAX_SECONDS_PER_DAY * 1000,
      } satisfies DpBounds,
    },
  }),
);

export type AttentionConfig = ServiceConfig & SectionOf<typeof attentionConfig>;
