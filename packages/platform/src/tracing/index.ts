/** For tests: spans kept in memory, with the SDK version the platform uses. */
export { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
export { traceCommands } from './commandSpans.js';
export { currentTraceparent, isTraceparent, withConsumerSpan } from './eventTrace.js';
export { withServerSpan } from './serverSpan.js';
export { meshTracer, startTracing, stopTracing, type TracingConfig, tracingEnabled } from './tracing.js';
