import { meshTracer, tracingEnabled } from '@attention-mesh/platform';
import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { subgraphFetchDuration } from './gatewayMetrics.js';

type Send<R, A extends unknown[]> = (headers: Record<string, string>, ...rest: A) => Promise<R>;

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
export function observeSubgraphFetch<R extends { status: number }, A extends unknown[]>(
  subgraph: string,
  url: string,
  send: Send<R, A>,
): Send<R, A> {
  return (headers, ...rest) => {
    const end = subgraphFetchDuration.startTimer({ subgraph });
    if (!tracingEnabled()) {
      return send(headers, ...rest).then(
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
        const traced = { ...headers };
        propagation.inject(context.active(), traced);
        try {
          const response = await send(traced, ...rest);
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
