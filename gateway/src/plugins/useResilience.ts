import { ErrorCode, type Logger } from '@attention-mesh/platform';
import { RequestTimeoutError } from '../resilience/failures.js';
import type { GatewayPlugin } from './gatewayPlugin.js';

/**
 * The client request's deadline: `REQUEST_TIMEOUT_MS` after its context is made, the request's
 * `signal` aborts, which stops its pending subgraph calls (each then fails through
 * `onSubgraphFailure`, null with `DOWNSTREAM_SERVICE_ERROR` at its fields) and any call not yet
 * sent; the answer keeps what resolved and gets one `REQUEST_TIMEOUT` error. Per-subgraph timeouts,
 * retries and circuit breakers are the data source's (`resilience/`).
 */
export function useResilience(opts: { requestTimeoutMs: number; logger: Logger }): GatewayPlugin {
  const ms = opts.requestTimeoutMs;
  const timers = new WeakMap<AbortSignal, NodeJS.Timeout>();
  return {
    name: 'resilience',
    context() {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new RequestTimeoutError(ms)), ms);
      timer.unref();
      timers.set(controller.signal, timer);
      return { signal: controller.signal };
    },
    apolloPlugins: [
      {
        async requestDidStart() {
          return {
            async willSendResponse({ contextValue, response }) {
              const { signal } = contextValue;
              if (!signal) return;
              clearTimeout(timers.get(signal));
              if (!(signal.reason instanceof RequestTimeoutError) || response.body.kind !== 'single') return;
              const result = response.body.singleResult;
              opts.logger.warn({ requestId: contextValue.requestId, timeoutMs: ms }, 'request timed out');
              result.errors = [
                ...(result.errors ?? []),
                {
                  message: `The request took longer than ${ms} ms; data holds what resolved by then`,
                  extensions: { code: ErrorCode.REQUEST_TIMEOUT, timeoutMs: ms },
                },
              ];
            },
          };
        },
      },
    ],
  };
}
