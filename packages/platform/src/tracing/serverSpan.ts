import type { IncomingMessage } from 'node:http';
import { context, propagation, type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { meshTracer, tracingEnabled } from './tracing.js';

/** Probes and scrapes, every few seconds each: spans of them would bury the requests. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Runs a request's handling inside a SERVER span that continues the caller's trace (its W3C
 * `traceparent` header, as the gateway sends it to subgraphs). With tracing off (and for probes and
 * scrapes), `handle` runs as is.
 */
export function withServerSpan<T>(
  service: string,
  req: IncomingMessage,
  handle: (span?: Span) => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return handle();
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (UNTRACED.has(path)) return handle();
  const parent = propagation.extract(context.active(), req.headers);
  return meshTracer().startActiveSpan(
    `${req.method ?? 'GET'} ${path}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'mesh.service': service, 'http.request.method': req.method ?? 'GET', 'url.path': path },
    },
    parent,
    async (span) => {
      try {
        return await handle(span);
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
