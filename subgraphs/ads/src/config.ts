import { configSection, type SectionOf, type ServiceConfig } from '@attention-mesh/platform';
import { z } from 'zod';

/** The ads subgraph's own settings (`ADS_*`). */
export const adsConfig = configSection(
  z.object({
    ADS_TOKEN_SECRET: z.string().min(32).optional(),
    ADS_TOKEN_TTL_MS: z.coerce
      .number()
      .int()
      .min(1000)
      .default(15 * 60 * 1000),
    ADS_REFRESH_MS: z.coerce.number().int().min(100).default(10_000),
    ADS_EXPLORATION_EPSILON: z.coerce.number().min(0).max(0.5).default(0.05),
    ADS_LOGGED_CANDIDATES: z.coerce.number().int().min(1).max(100).default(20),
    ADS_DECISION_BATCH_MAX: z.coerce.number().int().min(0).max(5000).default(200),
    ADS_COUNTS_FLUSH_MS: z.coerce
      .number()
      .int()
      .min(1000)
      .default(10 * 60_000),
  }),
  (e, base) => ({
    ads: {
      /** HMAC secret of the impression and click tokens (default: derived from `internalSecret`). */
      tokenSecret: e.ADS_TOKEN_SECRET ?? `ads-token:${base.internalSecret}`,
      /** How long a decision's tokens (and its budget reservation) stay valid (default 15 min). */
      tokenTtlMs: e.ADS_TOKEN_TTL_MS,
      /** How often the decision state re-reads campaigns changed by other replicas (default 10 s). */
      refreshMs: e.ADS_REFRESH_MS,
      /**
       * Share of decisions whose ad is drawn uniformly from the eligible candidates instead of by the
       * auction (0..0.5, default 0.05; 0 turns exploration off): what lets off-policy evaluation score
       * other policies from the decision log. Prices, floors and budgets hold for explored ads too.
       */
      explorationEpsilon: e.ADS_EXPLORATION_EPSILON,
      /** Candidates logged with each filled decision, the best by mean score (1..100, default 20). */
      loggedCandidates: e.ADS_LOGGED_CANDIDATES,
      /**
       * Most decisions written to the decision log in one insert (0..5,000, default 200). Decisions that
       * arrive while a write is in flight share the next one (group commit), and each request answers
       * once the write holding its decision is acknowledged. 0 turns it off: each decision is inserted
       * on its own and its win and user-group counters are written before it answers (the behaviour
       * before group commit, kept for `bench:ads-subgraph`'s comparison).
       */
      decisionBatchMax: e.ADS_DECISION_BATCH_MAX,
      /**
       * How often the counts decisions add to the hourly rollups (requests and wins per campaign,
       * requests per user group) are written, and at shutdown (default 10 min, at least 1 s). Reports
       * add the counts not written yet; the decision log holds every decision they were counted from.
       */
      countsFlushMs: e.ADS_COUNTS_FLUSH_MS,
    },
  }),
);

export type AdsConfig = ServiceConfig & SectionOf<typeof adsConfig>;
