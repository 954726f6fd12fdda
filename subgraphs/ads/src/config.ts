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
  }),
  (e, base) => ({
    ads: {
      /** HMAC secret of the impression and click tokens (default: derived from `internalSecret`). */
      tokenSecret: e.ADS_TOKEN_SECRET ?? `ads-token:${base.internalSecret}`,
      /** How long a decision's tokens (and its budget reservation) stay valid (default 15 min). */
      tokenTtlMs: e.ADS_TOKEN_TTL_MS,
      /** How often the decision state re-reads campaigns changed by other replicas (default 10 s). */
      refreshMs: e.ADS_REFRESH_MS,
    },
  }),
);

export type AdsConfig = ServiceConfig & SectionOf<typeof adsConfig>;
