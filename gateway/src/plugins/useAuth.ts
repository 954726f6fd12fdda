import type { IncomingMessage } from 'node:http';
import { createApiKeyResolver } from '../auth/apiKeys.js';
import { callerOf } from '../auth/callerOf.js';
import { createBearerVerifier } from '../auth/verifyBearer.js';
import type { GatewayConfig } from '../config.js';
import type { GatewayPlugin } from './gatewayPlugin.js';

export interface AuthOptions {
  jwt: GatewayConfig['jwt'];
  apiKeyCacheMs: number;
  internalSecret: string;
  /** The users subgraph, which resolves API keys (read per lookup: it follows supergraph reloads). */
  usersUrl: () => string | undefined;
}

/**
 * Who is calling, from the bearer token and/or the API key; a bad credential refuses the request
 * with 401 before anything is planned.
 */
export function useAuth(opts: AuthOptions): GatewayPlugin {
  const sources = {
    verifyBearer: createBearerVerifier(opts.jwt),
    resolveApiKey: createApiKeyResolver({
      usersUrl: opts.usersUrl,
      internalSecret: opts.internalSecret,
      cacheMs: opts.apiKeyCacheMs,
    }),
  };
  return {
    name: 'auth',
    context: async (req: IncomingMessage) => ({ caller: await callerOf(req.headers, sources) }),
  };
}
