import { DEV_JWT_SECRET, loadConfig, type ServiceConfig } from '@attention-mesh/platform';
import { SUPERGRAPH_FILE } from '@attention-mesh/schema';
import { z } from 'zod';

export interface GatewayConfig extends Omit<ServiceConfig, 'mongo'> {
  /** The composed supergraph the gateway serves. */
  supergraphFile: string;
  /** Reload the supergraph when the file changes (default: on in development). */
  watchSupergraph: boolean;
  /** Subgraph URL overrides by subgraph name (from SUBGRAPH_<NAME>_URL). */
  subgraphUrls: Record<string, string>;
  /** HS256 secret for people's bearer tokens. */
  jwtSecret: string;
}

const gatewayEnv = z.object({
  SUPERGRAPH_PATH: z.string().default(SUPERGRAPH_FILE),
  WATCH_SUPERGRAPH: z.enum(['true', 'false']).optional(),
  JWT_SECRET: z.string().min(32).optional(),
});

export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  const { mongo: _mongo, ...base } = loadConfig('gateway', env);
  const parsed = gatewayEnv.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `Invalid configuration for gateway:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  if (base.env === 'production' && !parsed.data.JWT_SECRET) {
    throw new Error('Invalid configuration for gateway:\n  JWT_SECRET: required in production');
  }
  const subgraphUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const m = /^SUBGRAPH_([A-Z0-9_]+)_URL$/.exec(key);
    if (m?.[1] && value) subgraphUrls[m[1].toLowerCase()] = z.string().url().parse(value);
  }
  return {
    ...base,
    supergraphFile: parsed.data.SUPERGRAPH_PATH,
    watchSupergraph: parsed.data.WATCH_SUPERGRAPH
      ? parsed.data.WATCH_SUPERGRAPH === 'true'
      : base.env === 'development',
    subgraphUrls,
    jwtSecret: parsed.data.JWT_SECRET ?? DEV_JWT_SECRET,
  };
}
