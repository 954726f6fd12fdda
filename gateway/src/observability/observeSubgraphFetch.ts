import { meshTracer, tracingEnabled } from '@attention-mesh/platform';
import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { subgraphFetchDuration } from './gatewayMetrics.js';

type Send<I, R, A extends unknown[]> = (url: string, init: I, ...rest: A) => Promise<R>;

/** The label of a call's result: its HTTP status class, or `error` when no response came. */
function outcomeOf(status: number | undefined): string {
  return status === undefined ? 'error' : `${Math.floor(status / 100)}xx`;
}

/**
 * Wraps a subgraph's send function: the call's latency per subgraph and outcome
 * (`mesh_gateway_subgraph_fetch_duration_seconds`, retries included: what the query plan waited), and,
 * with tracing on, a CLIENT span whose W3C `traceparent` goes out in the request headers so the
 * subgraph's server span continues the client's trace.
 */
export function observeSubgraphFetch<
  I extends { headers?: Record<string, string> },
  R extends { status: number },
  A extends unknown[],
>(subgraph: string, send: Send<I, R, A>): Send<I, R, A> {
  return (url, init, ...rest) => {
    const end = subgraphFetchDuration.startTimer({ subgraph });
    if (!tracingEnabled()) {
      return send(url, init, ...rest).then(
        (response) => {
          end({ outcome: outcomeOf(response.status) });
          return response;
        },
        (err: unknown) => {
          end({ outcome: 'error' });
          throw err;
        },
      );
    }
    return meshTracer().startActiveSpan(
      `subgraph ${subgraph}`,
      { kind: SpanKind.CLIENT, attributes: { 'mesh.subgraph': subgraph, 'url.full': url } },
      async (span) => {
        const headers = { ...init.headers };
        propagation.inject(context.active(), headers);
        try {
          const response = await send(url, { ...init, headers }, ...rest);
          span.setAttribute('http.response.status_code', response.status);
          if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          end({ outcome: outcomeOf(response.status) });
          return response;
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          end({ outcome: 'error' });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  };
}
