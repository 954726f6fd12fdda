import { type Tracer, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** Tracing settings (platform config `tracing`). */
export interface TracingConfig {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`: the collector's OTLP/HTTP base URL; none: tracing off. */
  endpoint?: string;
  /** `OTEL_TRACES_SAMPLE_RATIO`: the share of new traces kept, 0 to 1 (default 1). */
  sampleRatio: number;
}

let provider: NodeTracerProvider | undefined;

/**
 * Whether this process records spans. Every instrumentation point checks it first, so with tracing off
 * a request pays one boolean test per point: no context propagation, no span objects, no header.
 */
export function tracingEnabled(): boolean {
  return provider !== undefined;
}

/** The mesh's tracer (a no-op one while tracing is off). */
export function meshTracer(): Tracer {
  return trace.getTracer('attention-mesh');
}

/**
 * Starts tracing for the process once: spans go to the OTLP collector at `config.endpoint` (or to
 * `exporter`, for tests), W3C trace context is the propagation format, and the active span follows
 * async work (AsyncLocalStorage). Without an endpoint or exporter nothing is started and nothing leaves
 * the machine. Later calls (several services in one test process) keep the first provider.
 */
export function startTracing(service: string, config: TracingConfig, exporter?: SpanExporter): boolean {
  if (provider) return true;
  if (!exporter && !config.endpoint) return false;
  const processor = exporter
    ? new SimpleSpanProcessor(exporter)
    : new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${config.endpoint!.replace(/\/$/, '')}/v1/traces` }),
      );
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [processor],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return true;
}

/** Flushes and stops tracing (tests; a process exiting on a signal loses at most the last batch). */
export async function stopTracing(): Promise<void> {
  const p = provider;
  provider = undefined;
  if (!p) return;
  await p.shutdown();
  trace.disable();
}
