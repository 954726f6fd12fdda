import { context, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meshEvent } from '../src/events/event.js';
import { observeInference } from '../src/metrics/domainMetrics.js';
import { scrape } from '../src/metrics/registry.js';
import { currentTraceparent, isTraceparent, withConsumerSpan } from '../src/tracing/eventTrace.js';
import { logTraceIds } from '../src/tracing/logTraceIds.js';
import { meshTracer, startTracing, stopTracing, tracingEnabled } from '../src/tracing/tracing.js';

describe('with tracing off', () => {
  it('events carry no trace, log lines no ids, and handlers run as they are', async () => {
    expect(tracingEnabled()).toBe(false);
    expect(currentTraceparent()).toBeUndefined();
    expect(logTraceIds()).toEqual({});
    expect(startTracing('users', { sampleRatio: 1 })).toBe(false);
    expect(await withConsumerSpan('c', { id: 'e', type: 't' }, async () => 42)).toBe(42);
  });
});

describe('with tracing on', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    startTracing('users', { sampleRatio: 1 }, exporter);
  });
  afterAll(() => stopTracing());

  it('an event published inside a span carries its trace, and the consumer continues it', async () => {
    const event = await meshTracer().startActiveSpan('publish', async (span) => {
      const e = meshEvent(
        'user.created',
        { __typename: 'User', id: 'usr-1' },
        { country: 'DE', locale: 'de-DE', timezone: 'Europe/Berlin', segments: [], createdAt: 1 },
      );
      expect(logTraceIds()).toEqual({
        trace_id: span.spanContext().traceId,
        span_id: span.spanContext().spanId,
      });
      span.end();
      return e;
    });
    expect(isTraceparent(event.trace)).toBe(true);
    const inside = await withConsumerSpan('profiles', event, async () => trace.getSpan(context.active()));
    const consumer = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(inside?.spanContext().spanId).toBe(consumer.spanContext().spanId);
    expect(`00-${consumer.spanContext().traceId}-${consumer.parentSpanContext?.spanId}-01`).toBe(event.trace);
    expect(consumer.attributes['messaging.consumer.group.name']).toBe('profiles');
  });

  it('a malformed trace on an event starts a new trace instead of failing the handler', async () => {
    exporter.reset();
    await withConsumerSpan(
      'profiles',
      { id: 'e', type: 'user.created', trace: 'not-a-traceparent' },
      async () => {},
    );
    const [span] = exporter.getFinishedSpans();
    expect(span?.parentSpanContext).toBeUndefined();
  });
});

describe('observeInference', () => {
  it('records each forward pass and its batch size, passing results and errors through', async () => {
    const run = observeInference('unit-model', async (items: number[]) => items.map((i) => i * 2));
    expect(await run([1, 2, 3])).toEqual([2, 4, 6]);
    const failing = observeInference('unit-model', async () => {
      throw new Error('no model');
    });
    await expect(failing([1])).rejects.toThrow('no model');
    const { body } = await scrape();
    expect(body).toContain('mesh_model_inference_batch_size_sum{model="unit-model"} 4');
    expect(body).toContain('mesh_model_inference_duration_seconds_count{model="unit-model"} 2');
  });
});
