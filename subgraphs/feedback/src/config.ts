import { configSection, type SectionOf, type ServiceConfig } from '@attention-mesh/platform';
import { z } from 'zod';

/** The feedback subgraph's own settings (`FEEDBACK_*`). */
export const feedbackConfig = configSection(
  z.object({
    FEEDBACK_COMPLAINT_RATE_THRESHOLD: z.coerce.number().gt(0).max(1).default(0.02),
    FEEDBACK_COMPLAINT_MIN_IMPRESSIONS: z.coerce.number().int().min(1).max(100_000_000).default(200),
    FEEDBACK_MAX_BATCH: z.coerce.number().int().min(1).max(500).default(500),
  }),
  (e) => ({
    feedback: {
      flagging: {
        /** An ad whose complaints / impressions passes this (default 0.02) is flagged (`ad.flagged`). */
        threshold: e.FEEDBACK_COMPLAINT_RATE_THRESHOLD,
        /** ...once it has at least this many impressions (default 200). */
        minImpressions: e.FEEDBACK_COMPLAINT_MIN_IMPRESSIONS,
      },
      /** Most signals one submitFeedbackBatch call may carry (default and at most 500). */
      maxBatch: e.FEEDBACK_MAX_BATCH,
    },
  }),
);

export type FeedbackConfig = ServiceConfig & SectionOf<typeof feedbackConfig>;
