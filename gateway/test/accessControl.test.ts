import { errorCodes, gql } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/server.js';
import { type FakeSubgraph, startFakeSubgraph } from './support/fakeSubgraph.js';
import { adminBearer, bearer } from './support/jwt.js';
import { PUBLIC, SHOP, SHOP_PLAIN, shopRoot } from './support/shop.js';
import { startTestGateway } from './support/testGateway.js';

/** A second subgraph, so one request makes two subgraph calls. */
const NEWS = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Query { headline: String }
`;

let shop: FakeSubgraph;
let news: FakeSubgraph;
let gateway: RunningGateway;

beforeAll(async () => {
  shop = await startFakeSubgraph(SHOP_PLAIN, shopRoot());
  news = await startFakeSubgraph('type Query { headline: String }', { headline: 'news' });
  gateway = await startTestGateway({
    subgraphs: [
      { name: 'shop', sdl: SHOP, url: shop.url },
      { name: 'news', sdl: NEWS, url: news.url },
    ],
    publicSdl: PUBLIC,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await shop?.stop();
  await news?.stop();
});

describe('access rules at the gateway', () => {
  it('passes an operation without denied fields through as it is', async () => {
    shop.requests.length = 0;
    const res = await gql(gateway.url, '{ items { id title } greeting }');
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      items: [
        { id: 'a', title: 'A' },
        { id: 'b', title: 'B' },
      ],
      greeting: 'hello',
    });
    expect(shop.requests).toHaveLength(1);
  });

  it('nulls a denied field at its path (alias, list index), the rest resolving', async () => {
    shop.requests.length = 0;
    const res = await gql<{ list: { id: string; s: unknown }[]; greeting: string }>(
      gateway.url,
      '{ list: items { id s: stats { views } } greeting }',
      {},
      await bearer({ sub: 'usr-1' }),
    );
    expect(res.data).toEqual({
      list: [
        { id: 'a', s: null },
        { id: 'b', s: null },
      ],
      greeting: 'hello',
    });
    expect(res.errors?.map((e) => e.path)).toEqual([
      ['list', 0, 's'],
      ['list', 1, 's'],
    ]);
    expect(errorCodes(res)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(res.errors?.[0]?.message).toMatch(/Item\.stats needs scope analytics:read or scope admin/);
    // The subgraph was not asked for the denied field.
    expect(shop.requests).toHaveLength(1);
    expect(shop.requests[0]?.query).not.toContain('stats');
  });

  it('propagates the null of a denied non-null field to its nullable parent', async () => {
    const res = await gql(gateway.url, '{ items { id cost } greeting }', {}, await bearer({ sub: 'usr-1' }));
    expect(res.data).toEqual({ items: [null, null], greeting: 'hello' });
    expect(res.errors?.map((e) => e.path)).toEqual([
      ['items', 0, 'cost'],
      ['items', 1, 'cost'],
    ]);
    const root = await gql(
      gateway.url,
      '{ item(id: "a") { cost } greeting }',
      {},
      await bearer({ sub: 'u' }),
    );
    expect(root.data).toBeNull();
    expect(errorCodes(root)).toEqual(['FORBIDDEN']);
  });

  it('says UNAUTHENTICATED to an anonymous caller, and lets the right caller through', async () => {
    const anon = await gql(gateway.url, '{ me { id } secret greeting }');
    expect(anon.data).toEqual({ me: null, secret: null, greeting: 'hello' });
    expect(errorCodes(anon)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(anon.errors?.map((e) => e.path)).toEqual([['me'], ['secret']]);
    const admin = await gql(
      gateway.url,
      '{ secret items { cost stats { views } } }',
      {},
      await adminBearer(),
    );
    expect(admin.errors).toBeUndefined();
    expect(admin.data).toEqual({
      secret: 'psst',
      items: [
        { cost: 10, stats: { views: 1 } },
        { cost: 20, stats: { views: 2 } },
      ],
    });
  });

  it('calls no subgraph when every root field of a query is denied', async () => {
    shop.requests.length = 0;
    const res = await gql(gateway.url, '{ secret __typename }');
    expect(res.data).toEqual({ secret: null, __typename: 'Query' });
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    expect(res.errors?.[0]?.message).toBe('Query.secret needs a signed-in caller');
    expect(shop.requests).toHaveLength(0);
  });

  it('checks fields inside fragments and keeps subgraph errors with their code and path', async () => {
    const res = await gql(
      gateway.url,
      'query Q { ...F flaky } fragment F on Query { me { ...P } items { title } } fragment P on Person { id email }',
      {},
      await bearer({ sub: 'usr-2', scope: 'mesh:gateway' }),
    );
    expect(res.data).toEqual({
      me: { id: 'usr-2', email: 'usr-2@example.com' },
      items: [{ title: 'A' }, { title: 'B' }],
      flaky: null,
    });
    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    const mixed = await gql(gateway.url, '{ flaky secret }', {}, await bearer({ sub: 'usr-2' }));
    expect(mixed.data).toEqual({ flaky: null, secret: null });
    expect(mixed.errors?.map((e) => [e.path, e.extensions?.code, e.message])).toEqual([
      [['flaky'], 'NOT_FOUND', 'flaky is gone'],
      [['secret'], 'FORBIDDEN', 'Query.secret needs scope admin'],
    ]);
  });

  it('refuses a mutation with a denied root field before any subgraph is called', async () => {
    shop.requests.length = 0;
    const res = await gql(
      gateway.url,
      'mutation { like(id: "a") { id } made: createItem(title: "x") { id } }',
      {},
      await bearer({ sub: 'usr-1' }),
    );
    expect(res.data).toBeNull();
    expect(res.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['made'], 'FORBIDDEN']]);
    expect(shop.requests).toHaveLength(0);
    const allowed = await gql(
      gateway.url,
      'mutation { like(id: "a") { id cost } }',
      {},
      await bearer({ sub: 'u' }),
    );
    expect(allowed.data).toEqual({ like: null });
    expect(allowed.errors?.map((e) => e.path)).toEqual([['like', 'cost']]);
    expect(shop.requests).toHaveLength(1);
  });

  it('signs the caller once per request with the same context on every subgraph call', async () => {
    shop.requests.length = 0;
    news.requests.length = 0;
    const res = await gql(
      gateway.url,
      '{ greeting headline }',
      {},
      await bearer({ sub: 'usr-9', scope: 'admin mesh:gateway' }),
    );
    expect(res.data).toEqual({ greeting: 'hello', headline: 'news' });
    expect(shop.requests[0]?.caller).toEqual({ userId: 'usr-9', scopes: ['admin'] });
    expect(news.requests[0]?.context).toBeDefined();
    expect(news.requests[0]?.context).toBe(shop.requests[0]?.context);
    // A later request is signed anew.
    await gql(gateway.url, '{ headline }', {}, await bearer({ sub: 'usr-9' }));
    expect(news.requests[1]?.context).not.toBe(news.requests[0]?.context);
  });
});
