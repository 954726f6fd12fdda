import {
  InMemorySpanExporter,
  type MeshEvent,
  type ReadableSpan,
  type RunningSubgraph,
  startTracing,
  stopTracing,
} from '@attention-mesh/platform';
import { gql, startTestSubgraph, waitFor } from '@attention-mesh/testkit';
import { usersSubgraph } from '@attention-mesh/users-subgraph';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.js';
import { type RunningGateway, startGateway } from '../src/server.js';
import { bearer, TEST_JWT_SECRET } from './support/jwt.js';

/**
 * Tracing on (an in-memory exporter in place of the OTLP collector), started before the services so
 * their database clients are traced, as the bootstrap does with OTEL_EXPORTER_OTLP_ENDPOINT.
 */
const exporter = new InMemorySpanExporter();
let users: RunningSubgraph<unknown>;
let gateway: RunningGateway;
const consumed: MeshEvent[] = [];
let stopConsumer: (() => Promise<void>) | undefined;

beforeAll(async () => {
  startTracing('mesh-test', { sampleRatio: 1 }, exporter);
  users = (await startTestSubgraph(
    usersSubgraph as Parameters<typeof startTestSubgraph>[0],
    inject('mongoUri'),
  )) as RunningSubgraph<unknown>;
  gateway = await startGateway(
    loadGatewayConfig({
      NODE_ENV: 'test',
      PORT: '0',
      JWT_SECRET: TEST_JWT_SECRET,
      SUBSCRIPTIONS_ENABLED: 'false',
      SUBGRAPH_USERS_URL: users.url,
    }),
  );
  // A consumer on the users subgraph's real bus, as another service would read `user.created`.
  const subscription = users.events.subscribe('tracing-test', ['user.created'], async (event) => {
    consumed.push(event);
  });
  await subscription.ready;
  stopConsumer = () => subscription.stop();
}, 120_000);

afterAll(async () => {
  await stopConsumer?.();
  await gateway?.stop();
  await users?.stop();
  await stopTracing();
});

const traceOf = (spans: ReadableSpan[], traceId: string) =>
  spans.filter((s) => s.spanContext().traceId === traceId);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('traces', () => {
  it('follow a query from the gateway to the subgraph and its database, and an event to its consumer', async () => {
    const res = await gql(
      gateway.url,
      'mutation CreateTraced { createUser(input: { id: "usr-traced", displayName: "Ada", country: "GB" }) { id } }',
      {},
      await bearer({ sub: 'usr-traced' }),
    );
    expect(res.errors).toBeUndefined();
    const event = await waitFor(
      async () => consumed.find((e) => e.key.id === 'usr-traced'),
      (e) => e !== undefined,
    );

    // The consumer's span ends after the handler returned: wait for it to be exported.
    await waitFor(
      async () => exporter.getFinishedSpans().some((s) => s.kind === SpanKind.CONSUMER),
      (found) => found,
    );
    const spans = exporter.getFinishedSpans();
    const gatewayServer = spans.find(
      (s) => s.kind === SpanKind.SERVER && s.attributes['mesh.service'] === 'gateway' && !parentOf(s),
    );
    expect(gatewayServer).toBeDefined();
    const trace = traceOf(spans, gatewayServer!.spanContext().traceId);
    const call = trace.find((s) => s.name === 'subgraph users');
    expect(call?.kind).toBe(SpanKind.CLIENT);
    const usersServer = trace.find(
      (s) => s.kind === SpanKind.SERVER && s.attributes['mesh.service'] === 'users',
    );
    // The subgraph's server span continues the gateway's call (traceparent in the request headers).
    expect(parentOf(usersServer!)).toBe(call!.spanContext().spanId);
    const db = trace.filter((s) => s.attributes['db.system.name'] === 'mongodb');
    expect(db.length).toBeGreaterThan(0);
    expect(db.map((s) => s.attributes['db.operation.name'])).toContain('insert');
    // The event carries the trace; the consumer continues it.
    expect(event!.trace).toMatch(new RegExp(`^00-${gatewayServer!.spanContext().traceId}-`));
    const consumer = trace.find((s) => s.kind === SpanKind.CONSUMER);
    expect(consumer?.name).toBe('user.created process');
    expect(consumer?.attributes['messaging.consumer.group.name']).toBe('tracing-test');
  });
});
