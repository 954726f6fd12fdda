import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/server.js';
import { type FakeSubgraph, startFakeSubgraph } from './support/fakeSubgraph.js';
import { adminBearer, bearer } from './support/jwt.js';
import { startTestGateway } from './support/testGateway.js';

const HELLO = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Query { hello: Greeting }
type Greeting { text: String }
`;

let hello: FakeSubgraph;
/** Small request budgets, behind a trusted proxy (each test its own client address). */
let requests: RunningGateway;
/** A small cost budget; the socket address only. */
let cost: RunningGateway;

beforeAll(async () => {
  // One object per answer: its static and its actual cost are both 1 (demand control).
  hello = await startFakeSubgraph('type Query { hello: Greeting } type Greeting { text: String }', {
    hello: { text: 'world' },
  });
  const subgraphs = [{ name: 'hello', sdl: HELLO, url: hello.url }];
  [requests, cost] = await Promise.all([
    startTestGateway({
      subgraphs,
      env: { RATE_LIMIT_ANONYMOUS_REQUESTS: '3', RATE_LIMIT_PERSON_REQUESTS: '2', TRUST_PROXY: 'true' },
    }),
    startTestGateway({ subgraphs, env: { RATE_LIMIT_ANONYMOUS_COST: '2' } }),
  ]);
});

afterAll(async () => {
  await requests?.stop();
  await cost?.stop();
  await hello?.stop();
});

async function post(url: string, headers: Record<string, string> = {}, query = '{ hello { text } }') {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as {
    data?: unknown;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
  return { status: res.status, headers: res.headers, body };
}

const from = (address: string) => ({ 'x-forwarded-for': `198.51.100.1, ${address}` });

describe('rate limits through the gateway', () => {
  it('sends the RateLimit headers on every response, counting down', async () => {
    const first = await post(requests.url, from('203.0.113.1'));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ data: { hello: { text: 'world' } } });
    expect(first.headers.get('ratelimit-policy')).toBe('"requests";q=3;w=60, "cost";q=50000;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"requests";r=2;t=\d+, "cost";r=49999;t=\d+$/);
    const second = await post(requests.url, from('203.0.113.1'));
    expect(second.headers.get('ratelimit')).toMatch(/^"requests";r=1;t=\d+, "cost";r=4999[89];t=\d+$/);
    // Also on an error response (a parse error: no operation cost charged).
    const bad = await post(requests.url, from('203.0.113.1'), '{ hello');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('ratelimit')).toMatch(/^"requests";r=0;t=\d+$/);
  });

  it('refuses past the request budget: 429, Retry-After, RATE_LIMITED with retryAfter, no subgraph call', async () => {
    for (let i = 0; i < 3; i++) expect((await post(requests.url, from('203.0.113.2'))).status).toBe(200);
    const calls = hello.requests.length;
    const refused = await post(requests.url, from('203.0.113.2'));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors).toEqual([
      {
        message: expect.stringMatching(/^Rate limit exceeded/),
        extensions: { code: 'RATE_LIMITED', retryAfter },
      },
    ]);
    expect(refused.headers.get('ratelimit-policy')).toBe('"requests";q=3;w=60');
    expect(refused.headers.get('ratelimit')).toMatch(/^"requests";r=0;t=\d+$/);
    expect(hello.requests.length).toBe(calls);
  });

  it('keeps a budget per client address, per user, and none for an admin', async () => {
    for (let i = 0; i < 3; i++) await post(requests.url, from('203.0.113.3'));
    expect((await post(requests.url, from('203.0.113.3'))).status).toBe(429);
    expect((await post(requests.url, from('203.0.113.4'))).status).toBe(200);
    // A person from the exhausted address has a budget of their own (2 a window).
    const alice = { ...from('203.0.113.3'), ...(await bearer({ sub: 'usr-alice' })) };
    const bob = { ...from('203.0.113.3'), ...(await bearer({ sub: 'usr-bob' })) };
    const first = await post(requests.url, alice);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"requests";q=2;w=60, "cost";q=100000;w=60');
    expect((await post(requests.url, alice)).status).toBe(200);
    expect((await post(requests.url, alice)).status).toBe(429);
    expect((await post(requests.url, bob)).status).toBe(200);
    const admin = { ...from('203.0.113.3'), ...(await adminBearer()) };
    for (let i = 0; i < 10; i++) {
      const res = await post(requests.url, admin);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit')).toBeNull();
    }
  });

  it('refuses past the cost budget with 429 (an operation of cost 1)', async () => {
    const ok = await post(cost.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit')).toMatch(/"cost";r=1;t=\d+$/);
    expect((await post(cost.url)).status).toBe(200);
    const calls = hello.requests.length;
    const refused = await post(cost.url);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions).toEqual({
      code: 'RATE_LIMITED',
      retryAfter: Number(refused.headers.get('retry-after')),
    });
    // One cost unit every 30 s.
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(25);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    expect(refused.headers.get('ratelimit-policy')).toBe('"requests";q=600;w=60, "cost";q=2;w=60');
    expect(refused.headers.get('ratelimit')).toMatch(/^"requests";r=59\d;t=\d+, "cost";r=0;t=\d+$/);
    expect(hello.requests.length).toBe(calls);
  });

  it('ignores x-forwarded-for unless TRUST_PROXY=true', async () => {
    // The cost gateway's budget of this socket address is spent above; another forwarded address is no way out.
    expect((await post(cost.url, from('203.0.113.50'))).status).toBe(429);
  });
});
