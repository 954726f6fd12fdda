import { ANONYMOUS, INTERNAL_CONTEXT_HEADER } from '@attention-mesh/platform';
import { SignedContexts } from '../auth/signedContexts.js';
import type { GatewayPlugin } from './gatewayPlugin.js';

/**
 * Signs who is calling for each client request (after `useAuth`; one signature serves a caller's
 * requests for a second, `SignedContexts`), valid for the request's whole life (`ttlMs`), and sends
 * that same value on every subgraph call of the request: subgraphs trust only the signed
 * `x-mesh-context`, never headers a client could set. A call outside any client request
 * (a health check) goes as the anonymous caller.
 */
export function useInternalContext(internalSecret: string, ttlMs: number): GatewayPlugin {
  const signed = new SignedContexts(internalSecret, ttlMs);
  return {
    name: 'internal-context',
    context: (_req, context) => ({ internalContext: signed.of(context.caller) }),
    willSendSubgraphRequest({ request, context }) {
      const headers = request.http?.headers;
      if (!headers) return;
      headers.set(INTERNAL_CONTEXT_HEADER, context.internalContext ?? signed.of(ANONYMOUS));
      if (context.requestId) headers.set('x-request-id', context.requestId);
    },
  };
}
