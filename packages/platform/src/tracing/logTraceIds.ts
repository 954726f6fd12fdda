import { context, trace } from '@opentelemetry/api';
import { tracingEnabled } from './tracing.js';

/**
 * pino's `mixin`: the active span's ids on every log line written inside it, so a line found in the
 * logs leads to its trace (and back). Nothing is added with tracing off or outside a span.
 */
export function logTraceIds(): Record<string, string> {
  if (!tracingEnabled()) return {};
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
