import { configSection, type SectionOf, type ServiceConfig } from '@attention-mesh/platform';
import { z } from 'zod';

const SERVICE = /^[a-z][a-z0-9-]{0,31}$/;

/** The users subgraph's own settings (`USERS_*`). */
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
  }),
  (e) => ({
    users: {
      /**
       * The services that must report `user.erasure.completed` before an erasure is complete (default
       * attention, recommendation, ads, feedback; users itself is done when `eraseUser` answers).
       */
      erasureServices: [...new Set(e.USERS_ERASURE_SERVICES.split(',').map((s) => s.trim()))],
    },
  }),
);

export type UsersConfig = ServiceConfig & SectionOf<typeof usersConfig>;
