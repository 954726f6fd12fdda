import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { meshTracer, tracingEnabled } from './tracing.js';

/** A W3C `traceparent` value: version, trace id, span id, flags. */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The trace context an event carries from its producer (the active span's `traceparent`), or
 * undefined with tracing off or outside a span.
 */
export function currentTraceparent(): string | undefined {
  if (!tracingEnabled() || !trace.getSpan(context.active())) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** Whether a stored value is a trace context worth carrying on (never trusted further than its shape). */
export function isTraceparent(value: unknown): value is string {
  return typeof value === 'string' && TRACEPARENT.test(value);
}

/**
 * Runs a consumer's handling of one event in a CONSUMER span that continues the producer's trace, so
 * a request and the work its events cause read as one trace. With tracing off, `handle` runs as is.
 */
export function withConsumerSpan<T>(
  consumer: string,
  event: { id: string; type: string; trace?: string },
  handle: () => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return handle();
  const parent = isTraceparent(event.trace)
    ? propagation.extract(ROOT_CONTEXT, { traceparent: event.trace })
    : ROOT_CONTEXT;
  return meshTracer().startActiveSpan(
    `${event.type} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.operation.type': 'process',
        'messaging.destination.name': event.type,
        'messaging.consumer.group.name': consumer,
        'messaging.message.id': event.id,
      },
    },
    parent,
    async (span) => {
      try {
        return await handle();
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
