import { ANONYMOUS, INTERNAL_CONTEXT_HEADER, signInternalContext } from '@attention-mesh/platform';
import type { GatewayPlugin } from './gatewayPlugin.js';

/**
 * Signs who is calling once per client request (after `useAuth`), valid for the request's whole life
 * (`ttlMs`), and sends that same value on every subgraph call of the request: subgraphs trust only
 * the signed `x-mesh-context`, never headers a client could set. A call outside any client request
 * (a health check) goes as the anonymous caller.
 */
export function useInternalContext(internalSecret: string, ttlMs: number): GatewayPlugin {
  return {
    name: 'internal-context',
    context: (_req, context) => ({
      internalContext: signInternalContext(context.caller, internalSecret, { ttlMs }),
    }),
    willSendSubgraphRequest({ request, context }) {
      const headers = request.http?.headers;
      if (!headers) return;
      headers.set(
        INTERNAL_CONTEXT_HEADER,
        context.internalContext ?? signInternalContext(ANONYMOUS, internalSecret, { ttlMs }),
      );
      if (context.requestId) headers.set('x-request-id', context.requestId);
    },
  };
}
