import { configSection, type SectionOf, type ServiceConfig } from '@attention-mesh/platform';
import { z } from 'zod';

/** The users subgraph's own settings (`DP_*`: the partners' differential-privacy ledger it keeps). */
export const usersConfig = configSection(
  z.object({
    DP_EPSILON_PER_QUERY: z.coerce.number().positive().max(10).default(0.5),
    DP_DAILY_EPSILON: z.coerce.number().positive().max(1000).default(5),
  }),
  (e) => {
    if (e.DP_EPSILON_PER_QUERY > e.DP_DAILY_EPSILON)
      throw new Error('DP_EPSILON_PER_QUERY: must not exceed DP_DAILY_EPSILON');
    return {
      privacy: {
        /**
         * ε spent on each differentially private field a partner's request reads (default 0.5); the
         * gateway charges it and signs it into the request's context, so the subgraphs noise with it.
         */
        epsilonPerQuery: e.DP_EPSILON_PER_QUERY,
        /** ε a partner may spend per UTC day (default 5, i.e. 10 queries at the default ε). */
        dailyEpsilon: e.DP_DAILY_EPSILON,
      },
    };
  },
);

export type UsersConfig = ServiceConfig & SectionOf<typeof usersConfig>;
