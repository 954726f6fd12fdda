import type { IncomingMessage } from 'node:http';
import { ANONYMOUS, type Caller, type Logger } from '@attention-mesh/platform';
import { describe, expect, it, vi } from 'vitest';
import { clientAddress, normalizeAddress } from '../src/rateLimit/clientAddress.js';
import { clientKindOf } from '../src/rateLimit/clientKind.js';
import { createMemoryStore } from '../src/rateLimit/memoryStore.js';
import { createRateLimiter, type RateLimits, subjectOf } from '../src/rateLimit/rateLimiter.js';
import { rateLimitHeaders } from '../src/rateLimit/rateLimitHeaders.js';

const limits: RateLimits = {
  windowMs: 60_000,
  budgets: {
    anonymous: { requests: 2, cost: 10 },
    person: { requests: 3, cost: 20 },
    partner: { requests: 5, cost: 50 },
    analyst: { requests: 8, cost: 80 },
  },
  adminExempt: true,
};

const person = (userId: string): Caller => ({ userId, scopes: [] });
const partner = (partnerId: string, apiKeyId: string, userId?: string): Caller => ({
  partnerId,
  apiKeyId,
  scopes: ['ads:request'],
  ...(userId ? { userId } : {}),
});
const admin: Caller = { userId: 'usr-admin', scopes: ['admin'] };
const analyst: Caller = { userId: 'usr-a', scopes: ['analytics:read'] };

function fakeLogger() {
  return { warn: vi.fn(), info: vi.fn(), error: vi.fn(), debug: vi.fn() } as unknown as Logger & {
    warn: ReturnType<typeof vi.fn>;
    info: ReturnType<typeof vi.fn>;
  };
}

function limiter(now = () => 0) {
  return createRateLimiter({
    limits,
    store: createMemoryStore({ maxBuckets: 1_000, now }),
    logger: fakeLogger(),
    now,
  });
}

async function allowedOf(l: ReturnType<typeof limiter>, caller: Caller, address: string, n: number) {
  const subject = subjectOf(caller, address, limits);
  if (!subject) throw new Error('exempt');
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push((await l.charge(subject, 'requests', 1))?.allowed ?? true);
  return out;
}

describe('client kinds and subjects', () => {
  it('sorts callers into the four kinds', () => {
    expect(clientKindOf(ANONYMOUS)).toBe('anonymous');
    expect(clientKindOf(person('usr-1'))).toBe('person');
    expect(clientKindOf(partner('pub-1', 'key-1'))).toBe('partner');
    expect(clientKindOf(partner('pub-1', 'key-1', 'usr-1'))).toBe('partner');
    expect(clientKindOf(analyst)).toBe('analyst');
    expect(clientKindOf(admin)).toBe('analyst');
  });

  it('keys a budget by API key, else user, else address; an admin is exempt unless configured', () => {
    expect(subjectOf(partner('pub-1', 'key-1', 'usr-1'), '10.0.0.1', limits)).toEqual({
      kind: 'partner',
      id: 'key:pub-1/key-1',
    });
    expect(subjectOf(person('usr-1'), '10.0.0.1', limits)).toEqual({ kind: 'person', id: 'user:usr-1' });
    expect(subjectOf(ANONYMOUS, '10.0.0.1', limits)).toEqual({ kind: 'anonymous', id: 'ip:10.0.0.1' });
    expect(subjectOf(admin, '10.0.0.1', limits)).toBeUndefined();
    expect(subjectOf(admin, '10.0.0.1', { ...limits, adminExempt: false })).toEqual({
      kind: 'analyst',
      id: 'user:usr-admin',
    });
  });
});

describe('rate limiter (memory store, injected clock)', () => {
  it('keeps one budget per key, with the kind’s quota', async () => {
    const l = limiter();
    expect(await allowedOf(l, ANONYMOUS, '10.0.0.1', 3)).toEqual([true, true, false]);
    expect(await allowedOf(l, ANONYMOUS, '10.0.0.2', 3)).toEqual([true, true, false]);
    expect(await allowedOf(l, person('usr-1'), '10.0.0.1', 4)).toEqual([true, true, true, false]);
    expect(await allowedOf(l, person('usr-2'), '10.0.0.1', 1)).toEqual([true]);
    expect(await allowedOf(l, partner('pub-1', 'key-1'), '10.0.0.1', 6)).toEqual([
      ...Array(5).fill(true),
      false,
    ]);
    expect(await allowedOf(l, partner('pub-1', 'key-2'), '10.0.0.1', 1)).toEqual([true]);
    expect(await allowedOf(l, analyst, '10.0.0.1', 9)).toEqual([...Array(8).fill(true), false]);
  });

  it('keeps the request and cost budgets apart, and refills with time', async () => {
    let now = 0;
    const l = limiter(() => now);
    const subject = { kind: 'anonymous' as const, id: 'ip:10.0.0.9' };
    expect((await l.charge(subject, 'cost', 10))?.allowed).toBe(true);
    expect(await l.charge(subject, 'cost', 1)).toMatchObject({ allowed: false, retryAfterSeconds: 6 });
    expect((await l.charge(subject, 'requests', 1))?.allowed).toBe(true);
    now = 6_000;
    expect(await l.charge(subject, 'cost', 1)).toMatchObject({ allowed: true, remaining: 0 });
    // A correction: the operation cost 4 less than estimated.
    expect(await l.charge(subject, 'cost', -4, 'force')).toMatchObject({ allowed: true, remaining: 4 });
  });

  it('fails open when the store fails, with one warning per interval, and says when it is back', async () => {
    let now = 0;
    const logger = fakeLogger();
    let down = true;
    const memory = createMemoryStore({ maxBuckets: 10 });
    const l = createRateLimiter({
      limits,
      logger,
      now: () => now,
      store: {
        charge: (...args) =>
          down ? Promise.reject(new Error('connection refused')) : memory.charge(...args),
      },
    });
    const subject = { kind: 'anonymous' as const, id: 'ip:10.0.0.1' };
    for (let i = 0; i < 5; i++) expect(await l.charge(subject, 'requests', 1)).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]?.[1]).toMatch(/fail open/);
    now = 30_000;
    await l.charge(subject, 'requests', 1);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    down = false;
    expect((await l.charge(subject, 'requests', 1))?.allowed).toBe(true);
    expect(logger.info).toHaveBeenCalledWith('rate limit store is back; limits apply again');
  });

  it('bounds the memory store: the least recently used bucket is forgotten (and starts full)', async () => {
    const store = createMemoryStore({ maxBuckets: 2, now: () => 0 });
    const policy = { capacity: 1, windowMs: 60_000 };
    expect((await store.charge('a', policy, 1, 'take')).allowed).toBe(true);
    expect((await store.charge('a', policy, 1, 'take')).allowed).toBe(false);
    await store.charge('b', policy, 1, 'take');
    await store.charge('c', policy, 1, 'take');
    expect((await store.charge('a', policy, 1, 'take')).allowed).toBe(true);
  });
});

describe('client address', () => {
  const req = (remoteAddress: string, forwarded?: string) =>
    ({
      socket: { remoteAddress },
      headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
    }) as unknown as IncomingMessage;

  it('is the socket peer unless the proxy is trusted; then the entry the proxy added', () => {
    expect(clientAddress(req('10.1.1.1', '6.6.6.6'), false)).toBe('10.1.1.1');
    expect(clientAddress(req('10.1.1.1', '6.6.6.6, 203.0.113.7'), true)).toBe('203.0.113.7');
    expect(clientAddress(req('10.1.1.1', 'not an address'), true)).toBe('10.1.1.1');
    expect(clientAddress(req('10.1.1.1'), true)).toBe('10.1.1.1');
  });

  it('folds IPv4-mapped addresses to IPv4 and IPv6 addresses to their /64', () => {
    expect(normalizeAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('2001:db8:0:12:aaaa::1')).toBe('2001:db8:0:12::/64');
    expect(normalizeAddress('2001:DB8::1')).toBe('2001:db8:0:0::/64');
    expect(normalizeAddress('::1')).toBe('0:0:0:0::/64');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

describe('RateLimit headers', () => {
  it('are structured-field lists, one item per budget', () => {
    const policy = { capacity: 100, windowMs: 60_000 };
    expect(
      rateLimitHeaders([
        {
          name: 'requests',
          policy,
          decision: { allowed: true, remaining: 99, resetSeconds: 1, retryAfterSeconds: 0 },
        },
        {
          name: 'cost',
          policy: { capacity: 5_000, windowMs: 60_000 },
          decision: { allowed: false, remaining: 0, resetSeconds: 12, retryAfterSeconds: 3 },
        },
      ]),
    ).toEqual([
      ['ratelimit-policy', '"requests";q=100;w=60, "cost";q=5000;w=60'],
      ['ratelimit', '"requests";r=99;t=1, "cost";r=0;t=12'],
    ]);
    expect(rateLimitHeaders([])).toEqual([]);
  });
});
