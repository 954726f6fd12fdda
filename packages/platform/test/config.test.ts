import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSection, DEV_INTERNAL_SECRET, loadConfig } from '../src/config.js';

const section = configSection(
  z.object({
    DEMO_LIMIT: z.coerce.number().int().min(1).max(10).default(5),
    DEMO_SECRET: z.string().min(8).optional(),
  }),
  (e, base) => {
    if (base.env === 'production' && !e.DEMO_SECRET) throw new Error('DEMO_SECRET: required in production');
    return { demo: { limit: e.DEMO_LIMIT, secret: e.DEMO_SECRET ?? `demo:${base.internalSecret}` } };
  },
);

describe('loadConfig with a service section', () => {
  it('merges the section with the shared base, defaults applied', () => {
    const c = loadConfig('users', { PORT: '0' }, section);
    expect(c.http.port).toBe(0);
    expect(c.demo.limit).toBe(5);
    expect(c.demo.secret).toBe(`demo:${c.internalSecret}`);
  });

  it('lists the base and the section problems in one message', () => {
    expect(() => loadConfig('users', { PORT: 'x', DEMO_LIMIT: '99' }, section)).toThrow(
      /Invalid configuration for users:\n {2}PORT: .*\n {2}DEMO_LIMIT: /,
    );
  });

  it('reports a rule across fields thrown by the section', () => {
    expect(() =>
      loadConfig(
        'users',
        { NODE_ENV: 'production', MESH_INTERNAL_SECRET: 'x'.repeat(32), MESH_ERASURE_SECRET: 'y'.repeat(32) },
        section,
      ),
    ).toThrow('Invalid configuration for users:\n  DEMO_SECRET: required in production');
  });

  it('refuses to start in production without an internal secret or with the development one', () => {
    expect(() => loadConfig('users', { NODE_ENV: 'production' })).toThrow(/MESH_INTERNAL_SECRET: required/);
    expect(() =>
      loadConfig('users', { NODE_ENV: 'production', MESH_INTERNAL_SECRET: DEV_INTERNAL_SECRET }),
    ).toThrow(/development secret is refused/);
    expect(loadConfig('users', { NODE_ENV: 'development' }).internalSecret).toBe(DEV_INTERNAL_SECRET);
  });

  it('reads nothing of a section it was not given', () => {
    const c = loadConfig('users', { DEMO_LIMIT: '99' });
    expect('demo' in c).toBe(false);
  });
});

describe('event bus settings', () => {
  it('default to the mongo adapter, with NATS settings ready', () => {
    const c = loadConfig('users', {});
    expect(c.events).toEqual({
      adapter: 'mongo',
      retentionMs: 3_600_000,
      mongoDbName: 'attention_mesh_bus',
      pollMs: 100,
      idlePollMs: 500,
      nats: { url: 'nats://127.0.0.1:4222', stream: 'mesh' },
    });
  });

  it('choose NATS and a partition, and name what is wrong', () => {
    const c = loadConfig('ads', {
      EVENT_BUS: 'nats',
      NATS_URL: 'nats://nats:4222,nats://nats-2:4222',
      NATS_STREAM: 'prod_mesh',
      EVENT_PARTITION_COUNT: '3',
      EVENT_PARTITION_INDEX: '2',
    });
    expect(c.events).toMatchObject({
      adapter: 'nats',
      nats: { url: 'nats://nats:4222,nats://nats-2:4222', stream: 'prod_mesh' },
      partition: { count: 3, index: 2 },
    });
    expect(() => loadConfig('ads', { EVENT_BUS: 'kafka' })).toThrow(/EVENT_BUS: must be mongo or nats/);
    expect(() => loadConfig('ads', { NATS_URL: 'http://nats:4222' })).toThrow(/NATS_URL: must be nats:\/\//);
    expect(() => loadConfig('ads', { NATS_STREAM: 'a.b' })).toThrow(/NATS_STREAM/);
    expect(() => loadConfig('ads', { EVENT_RETENTION_MS: '10' })).toThrow(
      /EVENT_RETENTION_MS: must be at least/,
    );
    expect(() => loadConfig('ads', { EVENT_PARTITION_COUNT: '3' })).toThrow(/set both or neither/);
    expect(() => loadConfig('ads', { EVENT_PARTITION_COUNT: '3', EVENT_PARTITION_INDEX: '3' })).toThrow(
      /EVENT_PARTITION_INDEX: must be below EVENT_PARTITION_COUNT \(3\)/,
    );
  });
});

describe('observability settings', () => {
  const production = {
    NODE_ENV: 'production',
    MESH_INTERNAL_SECRET: 'x'.repeat(40),
    MESH_ERASURE_SECRET: 'y'.repeat(40),
  };

  it('serve metrics on the service port in development, on 9464 in production, or on METRICS_PORT', () => {
    expect(loadConfig('users', {}).metrics).toEqual({});
    expect(loadConfig('users', production).metrics).toEqual({ port: 9464 });
    expect(loadConfig('users', { ...production, METRICS_PORT: '9100' }).metrics).toEqual({ port: 9100 });
    expect(() => loadConfig('users', { METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
  });

  it('leave tracing off unless an OTLP/HTTP endpoint is given', () => {
    expect(loadConfig('users', {}).tracing).toEqual({ sampleRatio: 1 });
    expect(
      loadConfig('users', {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_TRACES_SAMPLE_RATIO: '0.25',
      }).tracing,
    ).toEqual({ endpoint: 'http://collector:4318', sampleRatio: 0.25 });
    expect(() => loadConfig('users', { OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    expect(() => loadConfig('users', { OTEL_TRACES_SAMPLE_RATIO: '2' })).toThrow(/OTEL_TRACES_SAMPLE_RATIO/);
  });
});
