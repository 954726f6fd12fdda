import { discreteLaplaceVariance } from '@attention-mesh/platform';
import { errorCodes, type GraphQLResponse, gql } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DemoMesh, startDemoMesh } from './support/demoMesh.js';
import { adminBearer, bearer } from './support/jwt.js';

/**
 * Differential privacy for partners, through the gateway over the five real subgraphs: an analyst (JWT)
 * sees exact figures; a partner's key gets noised ones, small groups suppressed, each read charged to
 * its partner's daily ε ledger, a retried request id charged (and answered) once, the read past the
 * budget refused before anything runs.
 */

type Headers = Record<string, string>;
let mesh: DemoMesh;
let admin: Headers;
let analyst: Headers;
let partner: Headers;

const HOUR = 3_600_000;
// Small numbers keep the test fast and its noise known: ε 1 per read, 40 a day, an events bound of 5 per
// user-day (so the noise's variance is 2α/(1−α)² with α = e^(−1/5), about 50), k = 10.
const EPSILON = 1;
const DAILY = 40;
const BOUND = 5;
const SUBGRAPH_ENV = {
  DP_EPSILON_PER_QUERY: String(EPSILON),
  DP_DAILY_EPSILON: String(DAILY),
  DP_MAX_EVENTS_PER_DAY: String(BOUND),
  DP_MIN_USERS: '10',
};
const tag = Date.now().toString(36);
const BIG = `itm-dp-big-${tag}`;
const SMALL = `itm-dp-small-${tag}`;
const BIG_USERS = 15;
const SMALL_USERS = 3;
// An hour in the past: the events land in one hourly point.
const AT = Math.floor((Date.now() - HOUR) / HOUR) * HOUR + 60_000;

const SERIES = `query($item: String!, $from: DateTime!, $to: DateTime!) {
  attentionSeries(metric: EVENTS, granularity: HOUR, from: $from, to: $to, filter: { dimension: ITEM, value: $item }) {
    key noised suppressed points { at value } } }`;
const BUDGET = '{ privacyBudget { dailyEpsilon epsilonPerQuery spent remaining resetsAt } }';

interface Series {
  key: string;
  noised: boolean;
  suppressed: boolean;
  points: { at: string; value: number | null }[];
}

async function post<T>(
  headers: Headers,
  query: string,
  variables = {},
): Promise<{ status: number; body: GraphQLResponse<T> }> {
  const res = await fetch(mesh.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GraphQLResponse<T> };
}

async function series(headers: Headers, item: string, extra: Headers = {}): Promise<Series> {
  const { body } = await post<{ attentionSeries: Series[] }>({ ...headers, ...extra }, SERIES, {
    item,
    from: new Date(AT - 60_000).toISOString(),
    to: new Date(AT - 60_000 + HOUR).toISOString(),
  });
  expect(body.errors).toBeUndefined();
  const [only] = body.data!.attentionSeries;
  expect(only?.points).toHaveLength(1);
  return only!;
}

async function budget(): Promise<{
  spent: number;
  remaining: number;
  resetsAt: string;
  dailyEpsilon: number;
}> {
  const { body } = await post<{
    privacyBudget: { spent: number; remaining: number; resetsAt: string; dailyEpsilon: number };
  }>(partner, BUDGET);
  expect(body.errors).toBeUndefined();
  return body.data!.privacyBudget;
}

beforeAll(async () => {
  mesh = await startDemoMesh(inject('mongoUri'), {}, SUBGRAPH_ENV);
  admin = await adminBearer();
  analyst = await bearer({ sub: 'usr-analyst', scope: 'analytics:read' });
  const created = await gql<{ createApiKey: { key: string } }>(
    mesh.gateway.url,
    'mutation { createApiKey(input: { partnerId: "dp-partner", name: "privacy test", scopes: ["analytics:read"] }) { key } }',
    {},
    admin,
  );
  expect(created.errors).toBeUndefined();
  partner = { 'x-api-key': created.data!.createApiKey.key };
  // One impression each by 15 people of one item and by 3 of another, in the same hour.
  const events = [
    ...Array.from({ length: BIG_USERS }, (_, i) => ({ item: BIG, userId: `usr-dp-${tag}-${i}` })),
    ...Array.from({ length: SMALL_USERS }, (_, i) => ({ item: SMALL, userId: `usr-dp-${tag}-s${i}` })),
  ].map(({ item, userId }, i) => ({
    clientId: `evt-dp-${tag}-${i}`,
    impressionId: `imp-dp-${tag}-${i}`,
    sessionId: `sess-dp-${i}`,
    target: { type: 'ITEM', id: item },
    type: 'IMPRESSION',
    occurredAt: new Date(AT).toISOString(),
    userId,
  }));
  const recorded = await gql<{ recordAttention: { accepted: number } }>(
    mesh.gateway.url,
    'mutation($e: [AttentionEventInput!]!) { recordAttention(events: $e) { accepted } }',
    { e: events },
    admin,
  );
  expect(recorded.data?.recordAttention.accepted).toBe(events.length);
}, 240_000);

afterAll(async () => {
  await mesh?.stop();
});

describe('differential privacy for partners, through the gateway', () => {
  it('gives an analyst (JWT) the exact figures, uncharged', async () => {
    const big = await series(analyst, BIG);
    expect(big).toMatchObject({ key: BIG, noised: false, suppressed: false });
    expect(big.points[0]?.value).toBe(BIG_USERS);
    expect((await series(analyst, SMALL)).points[0]?.value).toBe(SMALL_USERS);
  });

  it('suppresses a group of fewer than k users for a partner, and charges the read', async () => {
    const before = await budget();
    expect(before).toMatchObject({ dailyEpsilon: DAILY, spent: 0, remaining: DAILY });
    const small = await series(partner, SMALL);
    expect(small).toMatchObject({ noised: true, suppressed: true });
    expect(small.points[0]?.value).toBeNull();
    expect((await budget()).spent).toBe(EPSILON);
  });

  it('noises a partner’s figures around the exact value with the variance of the charged ε', async () => {
    const draws: number[] = [];
    for (let i = 0; i < 25; i++) {
      const s = await series(partner, BIG);
      expect(s).toMatchObject({ noised: true, suppressed: false });
      draws.push(s.points[0]!.value!);
    }
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1);
    const theory = discreteLaplaceVariance(EPSILON, BOUND);
    console.info(
      `partner EVENTS over 25 reads: exact ${BIG_USERS}, mean ${mean.toFixed(2)}, variance ${variance.toFixed(1)} (theory ${theory.toFixed(1)}), distinct ${new Set(draws).size}`,
    );
    expect(draws.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    expect(new Set(draws).size).toBeGreaterThan(3);
    // The mean of 25 draws has a standard deviation of about 1.4: 6 is over 4 of them.
    expect(Math.abs(mean - BIG_USERS)).toBeLessThan(6);
    expect(variance).toBeGreaterThan(theory / 5);
    expect(variance).toBeLessThan(theory * 5);
    expect((await budget()).spent).toBe(26 * EPSILON);
  });

  it('charges and answers a retried request id once', async () => {
    const spent = (await budget()).spent;
    const retry = { 'x-request-id': `dp-retry-${tag}` };
    const first = await series(partner, BIG, retry);
    const again = await series(partner, BIG, retry);
    // Seeded by the request: a retry cannot average fresh noise away.
    expect(first.noised).toBe(true);
    expect(again).toEqual(first);
    expect((await budget()).spent).toBe(spent + EPSILON);
    // The same id for another operation buys nothing.
    const { body } = await post({ ...partner, ...retry }, SERIES, {
      item: SMALL,
      from: new Date(AT).toISOString(),
      to: new Date(AT + HOUR).toISOString(),
    });
    expect(errorCodes(body)).toEqual(['CONFLICT']);
  });

  it('refuses the read past the budget with PRIVACY_BUDGET_EXHAUSTED, running nothing', async () => {
    let { remaining } = await budget();
    while (remaining >= EPSILON) {
      await series(partner, BIG);
      remaining = (await budget()).remaining;
    }
    expect(remaining).toBe(0);
    const refused = await post(partner, SERIES, {
      item: BIG,
      from: new Date(AT).toISOString(),
      to: new Date(AT + HOUR).toISOString(),
    });
    expect(refused.status).toBe(429);
    expect(errorCodes(refused.body)).toEqual(['PRIVACY_BUDGET_EXHAUSTED']);
    expect(refused.body.data ?? null).toBeNull();
    const ext = refused.body.errors?.[0]?.extensions as { remaining: number; resetsAt: string };
    expect(ext.remaining).toBe(0);
    expect(Date.parse(ext.resetsAt) % 86_400_000).toBe(0);
    expect((await budget()).spent).toBe(DAILY);
    // Fields that release nothing private still answer; the analyst still gets exact figures.
    expect((await post(partner, BUDGET)).status).toBe(200);
    expect((await series(analyst, BIG)).points[0]?.value).toBe(BIG_USERS);
  });
});
