import { INTERNAL_CONTEXT_HEADER, signInternalContext } from '@attention-mesh/platform';
import type { GatewayPlugin } from './gatewayPlugin.js';

/**
 * Signs who is calling into every subgraph call: subgraphs trust only the signed `x-mesh-context`,
 * never headers a client could set.
 */
export function useInternalContext(internalSecret: string): GatewayPlugin {
  return {
    name: 'internal-context',
    willSendSubgraphRequest({ request, context }) {
      const headers = request.http?.headers;
      if (!headers) return;
      headers.set(INTERNAL_CONTEXT_HEADER, signInternalContext(context.caller, internalSecret));
      if (context.requestId) headers.set('x-request-id', context.requestId);
    },
  };
}
