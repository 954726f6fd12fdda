import { configSection, type SectionOf, type ServiceConfig } from '@attention-mesh/platform';
import { z } from 'zod';

const SERVICE = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * The users subgraph's own settings: `USERS_*`, and `DP_*` (the partners' differential-privacy ledger it
 * keeps).
 */
export const usersConfig = configSection(
  z.object({
    USERS_ERASURE_SERVICES: z
      .string()
      .max(500)
      .default('attention,recommendation,ads,feedback')
      .refine(
        (v) => v.split(',').every((s) => SERVICE.test(s.trim())),
        'must be service names separated by commas (a-z, 0-9, -)',
      ),
    DP_EPSILON_PER_QUERY: z.coerce.number().positive().max(10).default(0.5),
    DP_DAILY_EPSILON: z.coerce.number().positive().max(1000).default(5),
  }),
  (e) => {
    if (e.DP_EPSILON_PER_QUERY > e.DP_DAILY_EPSILON)
      throw new Error('DP_EPSILON_PER_QUERY: must not exceed DP_DAILY_EPSILON');
    return {
      users: {
        /**
         * The services that must report `user.erasure.completed` before an erasure is complete (default
         * attention, recommendation, ads, feedback; users itself is done when `eraseUser` answers).
         */
        erasureServices: [...new Set(e.USERS_ERASURE_SERVICES.split(',').map((s) => s.trim()))],
      },
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
