import type { Logger } from '@attention-mesh/platform';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BucketStore } from '../src/rateLimit/bucketStore.js';
import { createRateLimiter } from '../src/rateLimit/rateLimiter.js';
import { createRedisStore } from '../src/rateLimit/redisStore.js';
import type { RunningGateway } from '../src/server.js';
import { type FakeSubgraph, startFakeSubgraph } from './support/fakeSubgraph.js';
import { type RedisServer, startRedis } from './support/redisServer.js';
import { startTestGateway } from './support/testGateway.js';

const HELLO = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Query { hello: String }
`;

const logger = () =>
  ({ warn: vi.fn(), info: vi.fn(), error: vi.fn(), debug: vi.fn() }) as unknown as Logger & {
    warn: ReturnType<typeof vi.fn>;
  };

let redis: RedisServer;
const stores: BucketStore[] = [];

async function store(url = redis.url, log: Logger = logger()): Promise<BucketStore> {
  const s = createRedisStore({ url, logger: log, prefix: `test:${Math.random()}:` });
  stores.push(s);
  await s.start?.();
  return s;
}

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close?.()));
  await redis?.stop();
});

describe('Redis bucket store (a real redis-server)', () => {
  const policy = { capacity: 3, windowMs: 60_000 };

  it('charges as the memory store does: refuses when empty, books forced debt', async () => {
    const s = await store();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await s.charge('k', policy, 1, 'take'));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[3]?.tokens).toBeLessThan(1);
    expect((await s.charge('k', policy, 2, 'force')).tokens).toBeLessThan(-1);
    expect((await s.charge('other', policy, 1, 'take')).tokens).toBeCloseTo(2, 2);
  });

  it('is atomic: concurrent charges from two clients never overspend a bucket', async () => {
    const prefix = `atomic:${Math.random()}:`;
    const log = logger();
    const a = createRedisStore({ url: redis.url, logger: log, prefix });
    const b = createRedisStore({ url: redis.url, logger: log, prefix });
    stores.push(a, b);
    await Promise.all([a.start?.(), b.start?.()]);
    const tight = { capacity: 10, windowMs: 3_600_000 };
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).charge('shared', tight, 1, 'take')),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
  });

  it('fails open with a warning when Redis is unreachable', async () => {
    const dead = await startRedis();
    await dead.stop();
    const log = logger();
    const s = await store(dead.url, log);
    const limiter = createRateLimiter({
      limits: {
        windowMs: 60_000,
        adminExempt: true,
        budgets: {
          anonymous: { requests: 1, cost: 1 },
          person: { requests: 1, cost: 1 },
          partner: { requests: 1, cost: 1 },
          analyst: { requests: 1, cost: 1 },
        },
      },
      store: s,
      logger: log,
    });
    const subject = { kind: 'anonymous' as const, id: 'ip:10.0.0.1' };
    const started = Date.now();
    for (let i = 0; i < 3; i++) expect(await limiter.charge(subject, 'requests', 1)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(log.warn.mock.calls.map((c) => c[1])).toContain(
      'rate limit store failed; requests pass without rate limits (fail open)',
    );
  });
});

describe('gateways sharing one Redis', () => {
  let hello: FakeSubgraph;
  let a: RunningGateway;
  let b: RunningGateway;

  beforeAll(async () => {
    hello = await startFakeSubgraph('type Query { hello: String }', { hello: 'world' });
    const opts = {
      subgraphs: [{ name: 'hello', sdl: HELLO, url: hello.url }],
      env: { REDIS_URL: redis.url, RATE_LIMIT_ANONYMOUS_REQUESTS: '4' },
    };
    [a, b] = await Promise.all([startTestGateway(opts), startTestGateway(opts)]);
  });

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await hello?.stop();
  });

  const post = (url: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ hello }' }),
    });

  it('share one budget per client: spent through one, refused by the other', async () => {
    const remaining: string[] = [];
    for (const g of [a, b, a, b]) {
      const res = await post(g.url);
      expect(res.status).toBe(200);
      remaining.push(/"requests";r=(\d+)/.exec(res.headers.get('ratelimit') ?? '')?.[1] ?? '?');
    }
    expect(remaining).toEqual(['3', '2', '1', '0']);
    for (const g of [a, b]) {
      const res = await post(g.url);
      expect(res.status).toBe(429);
      expect(
        ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
      ).toBe('RATE_LIMITED');
    }
  });

  it('serve without limits (fail open) while Redis is down', async () => {
    await redis.stop();
    for (const g of [a, b]) {
      const res = await post(g.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit')).toBeNull();
    }
  });

  it('limit again once Redis is back', async () => {
    redis = await startRedis({ port: redis.port });
    // The clients reconnect with a backoff of at most 2 s; the new Redis starts with full buckets.
    for (const g of [a, b]) {
      await vi.waitFor(
        async () => expect((await post(g.url)).headers.get('ratelimit')).toMatch(/^"requests";r=\d;/),
        { timeout: 5_000, interval: 200 },
      );
    }
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(i % 2 ? a.url : b.url)).status);
    expect(statuses).toContain(429);
  });
});
