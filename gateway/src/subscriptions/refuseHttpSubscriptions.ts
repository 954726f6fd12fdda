import type { ErrorCode } from '@attention-mesh/platform';
import { meshError } from '@attention-mesh/platform';
import type { GatewayPlugin } from '../plugins/gatewayPlugin.js';
import { SSE_PATH } from './sseTransport.js';

/**
 * A subscription sent as a plain HTTP request (POST or GET /graphql) is refused with 400 and a clear
 * error before anything is planned: @apollo/gateway executes no subscriptions (it would fail with a
 * 500). Subscriptions go over graphql-ws (`ws://…/graphql`) or SSE (`…/graphql/stream`).
 */
export function refuseHttpSubscriptions(): GatewayPlugin {
  return {
    name: 'http-subscriptions',
    apolloPlugins: [
      {
        async requestDidStart() {
          return {
            async didResolveOperation(rc) {
              if (rc.operation?.operation !== 'subscription') return;
              throw meshError(
                'BAD_REQUEST' as ErrorCode,
                `subscriptions are not served over plain HTTP: use graphql-ws (WebSocket at /graphql) or GraphQL over SSE (${SSE_PATH})`,
                { http: { status: 400 } },
              );
            },
          };
        },
      },
    ],
  };
}
