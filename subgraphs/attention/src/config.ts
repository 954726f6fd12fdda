import { configSection, type SectionOf, type ServiceConfig } from '@attention-mesh/platform';
import { z } from 'zod';

/** The attention subgraph's own settings (`ATTENTION_*`). */
export const attentionConfig = configSection(
  z.object({
    ATTENTION_MAX_BATCH: z.coerce.number().int().min(1).max(10_000).default(1000),
    ATTENTION_HALF_LIFE_DAYS: z.coerce.number().positive().default(7),
    ATTENTION_MAX_PENDING_BATCHES: z.coerce.number().int().min(1).max(10_000).default(32),
    ATTENTION_MEMORY_DOCS: z.coerce.number().int().min(0).default(200_000),
    ATTENTION_SINGLE_WRITER: z.enum(['true', 'false']).default('true'),
    ATTENTION_RETENTION_DAYS: z.coerce.number().int().min(8).max(3650).default(90),
    ATTENTION_RETENTION_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 86_400_000)
      .default(6 * 3_600_000),
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
  }),
);

export type AttentionConfig = ServiceConfig & SectionOf<typeof attentionConfig>;
