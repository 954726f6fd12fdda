import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { meshEvent } from '../src/events/event.js';
import { meshTracer, startTracing, stopTracing } from '../src/tracing/tracing.js';
import { type BusAdapter, mongoAdapter, natsAdapter, recorder, waitFor } from './support/buses.js';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const exporter = new InMemorySpanExporter();
beforeAll(() => {
  startTracing('users', { sampleRatio: 1 }, exporter);
});
afterAll(() => stopTracing());

describe.each([
  ['MongoEventBus', mongoAdapter],
  ['NatsEventBus', natsAdapter],
] as const)('%s', (_label, make) => {
  const adapter: BusAdapter = make(logger);
  beforeAll(() => adapter.setup(inject('mongoUri')));
  afterEach(() => adapter.cleanup());
  afterAll(() => adapter.teardown());

  it("carries the publisher's trace context to the consumer, which continues the trace", async () => {
    exporter.reset();
    const { bus } = await adapter.open();
    const r = recorder();
    await bus.subscribe('profiles', ['user.created'], r.handler).ready;
    const published = await meshTracer().startActiveSpan('publish', async (span) => {
      const event = meshEvent(
        'user.created',
        { __typename: 'User', id: 'usr-trace' },
        { country: 'DE', locale: 'de-DE', timezone: 'Europe/Berlin', segments: [], createdAt: 1 },
      );
      await bus.publish([event]);
      span.end();
      return { event, spanId: span.spanContext().spanId, traceId: span.spanContext().traceId };
    });
    await waitFor(() => r.got.length === 1);
    expect(r.got[0]?.trace).toBe(published.event.trace);
    await waitFor(() => exporter.getFinishedSpans().some((s) => s.kind === SpanKind.CONSUMER));
    const consumer = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(consumer.spanContext().traceId).toBe(published.traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(published.spanId);
  });
});
