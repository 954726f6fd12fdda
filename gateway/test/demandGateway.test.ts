import { errorCodes, gql } from '@attention-mesh/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/server.js';
import { DEMAND_PLAIN, DEMAND_SDL } from './support/demandSchema.js';
import { type FakeSubgraph, startFakeSubgraph } from './support/fakeSubgraph.js';
import { adminBearer, bearer } from './support/jwt.js';
import { startTestGateway } from './support/testGateway.js';

/**
 * Demand control through a gateway with its default limits and budgets, over a stand-in subgraph
 * whose SDL carries `@cost`/`@listSize`: every refusal is a 400 with its code and numbers, and the
 * subgraph is never asked.
 */

let ads: FakeSubgraph;
let gateway: RunningGateway;

const campaign = (id: string) => ({
  id,
  name: id,
  advertiser: { id: 'adv', campaigns: [] },
  budget: { micros: 1 },
});

beforeAll(async () => {
  ads = await startFakeSubgraph(DEMAND_PLAIN, {
    campaign: ({ id }: { id: string }) => campaign(id),
    campaigns: ({ first }: { first: number }) =>
      Array.from({ length: Math.min(first, 3) }, (_, i) => campaign(`c${i}`)),
    feedback: () => ({ total: 0, edges: [] }),
    tags: ['a'],
    heavy: 1,
  });
  gateway = await startTestGateway({ subgraphs: [{ name: 'ads', sdl: DEMAND_SDL, url: ads.url }] });
});

afterAll(async () => {
  await gateway?.stop();
  await ads?.stop();
});

beforeEach(() => {
  ads.requests.length = 0;
});

/** `campaign → advertiser → campaigns` nested `levels` deep, as in the issue. */
function nested(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = i % 2 ? `advertiser { ${inner} }` : `campaigns { ${inner} }`;
  return `{ campaign(id: "c1") { ${inner} } }`;
}

async function refusedWith(query: string, code: string, headers: Record<string, string> = {}) {
  const res = await gql(gateway.url, query, {}, headers);
  expect(res.status).toBe(400);
  expect(errorCodes(res)).toEqual([code]);
  expect(ads.requests).toHaveLength(0);
  return res.errors?.[0]?.extensions ?? {};
}

describe('demand control at the gateway (defaults)', () => {
  it('serves an ordinary operation and asks the subgraph once', async () => {
    const res = await gql(gateway.url, '{ campaigns(first: 2) { id advertiser { id } } tags }');
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      campaigns: [
        { id: 'c0', advertiser: { id: 'adv' } },
        { id: 'c1', advertiser: { id: 'adv' } },
      ],
      tags: ['a'],
    });
    expect(ads.requests).toHaveLength(1);
  });

  it("refuses the issue's 40-deep campaign → advertiser → campaigns (1.3 KB) with DEPTH_LIMIT", async () => {
    const query = nested(40);
    expect(query.length).toBeLessThan(1_400);
    expect(await refusedWith(query, 'DEPTH_LIMIT')).toEqual({ code: 'DEPTH_LIMIT', limit: 12, measured: 42 });
    // Again: the gateway's document cache holds the refusal, not the document.
    expect(await refusedWith(query, 'DEPTH_LIMIT')).toEqual({ code: 'DEPTH_LIMIT', limit: 12, measured: 42 });
    expect(await refusedWith(`query Deep ${query}`, 'DEPTH_LIMIT')).toMatchObject({ measured: 42 });
  });

  it('refuses 2,000 aliases of feedback(first: 100) before they are parsed to the end (TOKEN_LIMIT)', async () => {
    const query = `{ ${Array.from({ length: 2000 }, (_, i) => `f${i}: feedback(first: 100) { total }`).join(' ')} }`;
    const extensions = await refusedWith(query, 'TOKEN_LIMIT');
    expect(extensions).toMatchObject({ limit: 2000 });
    expect(extensions.measured).toBeGreaterThan(20_000);
  });

  it('refuses a 227 KB alias query with TOKEN_LIMIT', async () => {
    let query = '{';
    for (let i = 0; query.length < 227_000; i++) query += ` a${i}: campaign(id: "c${i}") { id name }`;
    await refusedWith(`${query} }`, 'TOKEN_LIMIT');
  });

  it('leaves a fragment cycle to validation, and counts aliases of fragments where they are spread', async () => {
    const cycle = await gql(
      gateway.url,
      '{ ...A } fragment A on Query { tags ...B } fragment B on Query { ...A }',
    );
    expect(cycle.status).toBe(400);
    expect(errorCodes(cycle)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const spread = `{ campaign(id: "c") { ...N ...N2 } }
      fragment N on Campaign { ${Array.from({ length: 16 }, (_, i) => `n${i}: name`).join(' ')} }
      fragment N2 on Campaign { ${Array.from({ length: 16 }, (_, i) => `m${i}: name`).join(' ')} }`;
    expect(await refusedWith(spread, 'ALIAS_LIMIT')).toMatchObject({ limit: 30, measured: 32 });
    expect(ads.requests).toHaveLength(0);
  });

  it('refuses too many aliases, root fields and directives with their numbers', async () => {
    const aliases = `{ campaign(id: "c") { ${Array.from({ length: 31 }, (_, i) => `n${i}: name`).join(' ')} } }`;
    expect(await refusedWith(aliases, 'ALIAS_LIMIT')).toMatchObject({ limit: 30, measured: 31 });
    const roots = `{ ${Array.from({ length: 21 }, (_, i) => `t${i}: tags`).join(' ')} }`;
    expect(await refusedWith(roots, 'ROOT_FIELD_LIMIT')).toMatchObject({ limit: 20, measured: 21 });
    const directives = `{ campaign(id: "c") { ${'id @include(if: true) '.repeat(51)} } }`;
    expect(await refusedWith(directives, 'DIRECTIVE_LIMIT')).toMatchObject({ limit: 50, measured: 51 });
  });

  it('holds each kind of caller to its cost budget, slicing arguments from variables', async () => {
    const query = 'query($n: Int) { campaigns(first: $n) { id } }';
    const anonymous = await gql(gateway.url, query, { n: 1001 });
    expect(anonymous.status).toBe(400);
    expect(anonymous.errors?.[0]?.extensions).toEqual({ code: 'COST_LIMIT', cost: 1001, limit: 1000 });
    const person = await bearer({ sub: 'usr-1' });
    expect((await gql(gateway.url, query, { n: 1001 }, person)).errors).toBeUndefined();
    const big = await gql(gateway.url, query, { n: 5001 }, person);
    expect(big.errors?.[0]?.extensions).toEqual({ code: 'COST_LIMIT', cost: 5001, limit: 5000 });
    expect(ads.requests).toHaveLength(1);
    expect((await gql(gateway.url, query, { n: 20_000 }, await adminBearer())).errors).toBeUndefined();
  });

  it('refuses a connection without its one slicing argument', async () => {
    const res = await gql(gateway.url, '{ feedback { total } }');
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(ads.requests).toHaveLength(0);
    expect(
      (await gql(gateway.url, '{ feedback(first: 100) { total edges { node { id } } } }')).errors,
    ).toBeUndefined();
  });
});
