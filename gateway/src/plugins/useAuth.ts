import type { IncomingMessage } from 'node:http';
import { callerFromAuthorization } from '../auth.js';
import type { GatewayPlugin } from './gatewayPlugin.js';

/** Who is calling, from the bearer token; a bad token refuses the request with 401. */
export function useAuth(jwtSecret: string): GatewayPlugin {
  return {
    name: 'auth',
    context: (req: IncomingMessage) => ({
      caller: callerFromAuthorization(req.headers.authorization, jwtSecret),
    }),
  };
}
