import type { Caller } from '@attention-mesh/platform';
import { errorCodes, gql } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/server.js';
import { type FakeSubgraph, startFakeSubgraph } from './support/fakeSubgraph.js';
import { bearer } from './support/jwt.js';
import { PUBLIC, SHOP, SHOP_PLAIN, shopRoot } from './support/shop.js';
import { startTestGateway } from './support/testGateway.js';

/**
 * API keys at the gateway. The users subgraph's `apiKeyIdentity` is built in parallel work; until it
 * lands, a stand-in users server answers that one query from a map these tests control (this exists
 * only for the gateway's cache and revocation tests; the users subgraph's own tests cover the field).
 */
const USERS_PLAIN = `
type Query { apiKeyIdentity(key: String!): ApiKeyIdentity }
type ApiKeyIdentity { id: ID! partnerId: ID! scopes: [String!]! }
`;

const CACHE_MS = 800;
const KEY = 'amk_0123456789_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const KEY_2 = 'amk_abcdef0123_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const REVOKED_LATER = 'amk_fedcba9876_ccccccccccccccccccccccccccccccccccccccccccc';

const keys = new Map<string, { id: string; partnerId: string; scopes: string[] }>();
const lookups: { key: string; caller: Caller }[] = [];
let users: FakeSubgraph;
let shop: FakeSubgraph;
let gateway: RunningGateway;
let withoutContract: RunningGateway;

beforeAll(async () => {
  keys.set(KEY, { id: 'key-1', partnerId: 'acme', scopes: ['ads:request', 'admin', 'events:write'] });
  keys.set(KEY_2, { id: 'key-2', partnerId: 'globex', scopes: ['analytics:read'] });
  keys.set(REVOKED_LATER, { id: 'key-3', partnerId: 'acme', scopes: ['ads:request'] });
  users = await startFakeSubgraph(USERS_PLAIN, {
    apiKeyIdentity: ({ key }: { key: string }, { caller }: { caller: Caller }) => {
      lookups.push({ key, caller });
      if (!caller.scopes.includes('mesh:gateway')) throw new Error('only the gateway may resolve keys');
      return keys.get(key) ?? null;
    },
  });
  shop = await startFakeSubgraph(SHOP_PLAIN, shopRoot());
  const subgraphs = [{ name: 'shop', sdl: SHOP, url: shop.url }];
  const env = { SUBGRAPH_USERS_URL: users.url, API_KEY_CACHE_MS: String(CACHE_MS) };
  gateway = await startTestGateway({ subgraphs, publicSdl: PUBLIC, env });
  withoutContract = await startTestGateway({ subgraphs, env });
});

afterAll(async () => {
  await gateway?.stop();
  await withoutContract?.stop();
  await users?.stop();
  await shop?.stop();
});

const asKey = (key: string, extra: Record<string, string> = {}) => ({ 'x-api-key': key, ...extra });

describe('API keys', () => {
  it('make the partner the caller, with the key scopes only, asked as the gateway', async () => {
    shop.requests.length = 0;
    const res = await gql(gateway.url, '{ greeting }', {}, asKey(KEY));
    expect(res.errors).toBeUndefined();
    expect(shop.requests[0]?.caller).toEqual({
      partnerId: 'acme',
      apiKeyId: 'key-1',
      scopes: ['ads:request', 'events:write'],
    });
    const lookup = lookups.find((l) => l.key === KEY);
    expect(lookup?.caller).toEqual({ scopes: ['mesh:gateway'] });
  });

  it('with a person signed in through the publisher: the person id, not the person scopes', async () => {
    shop.requests.length = 0;
    const res = await gql<{ me: { id: string } }>(
      gateway.url,
      '{ me { id } }',
      {},
      asKey(KEY, await bearer({ sub: 'usr-7', scope: 'admin' })),
    );
    expect(res.data?.me).toEqual({ id: 'usr-7' });
    expect(shop.requests[0]?.caller).toEqual({
      partnerId: 'acme',
      apiKeyId: 'key-1',
      scopes: ['ads:request', 'events:write'],
      userId: 'usr-7',
    });
  });

  it('refuses an unknown or malformed key with 401, remembering the answer', async () => {
    const unknown = 'amk_9999999999_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz';
    const before = lookups.length;
    for (const key of [unknown, unknown, 'not-a-key']) {
      const res = await gql(gateway.url, '{ greeting }', {}, asKey(key));
      expect(res.status).toBe(401);
      expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
      expect(res.errors?.[0]?.message).toBe('invalid API key');
    }
    expect(lookups.length - before).toBe(1);
  });

  it('answers 503 when the users subgraph cannot check a key, and caches nothing', async () => {
    const down = await startTestGateway({
      subgraphs: [{ name: 'shop', sdl: SHOP, url: shop.url }],
      publicSdl: PUBLIC,
      env: { SUBGRAPH_USERS_URL: 'http://127.0.0.1:9/graphql' },
    });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await gql(down.url, '{ greeting }', {}, asKey(KEY));
        expect(res.status).toBe(503);
        expect(errorCodes(res)).toEqual(['DOWNSTREAM_SERVICE_ERROR']);
        expect(JSON.stringify(res)).not.toContain('127.0.0.1');
      }
    } finally {
      await down.stop();
    }
  });

  it('stops a revoked key once the cache time has passed, and not before', async () => {
    // The answer is cached when the gateway gets it, after this instant.
    const cachedAt = Date.now();
    expect((await gql(gateway.url, '{ greeting }', {}, asKey(REVOKED_LATER))).errors).toBeUndefined();
    keys.delete(REVOKED_LATER);
    const stillCached = await gql(gateway.url, '{ greeting }', {}, asKey(REVOKED_LATER));
    if (Date.now() - cachedAt < CACHE_MS) expect(stillCached.errors).toBeUndefined();
    let refused: Awaited<ReturnType<typeof gql>> | undefined;
    while (!refused && Date.now() - cachedAt < CACHE_MS + 5_000) {
      const res = await gql(gateway.url, '{ greeting }', {}, asKey(REVOKED_LATER));
      if (res.status === 401) refused = res;
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(Date.now() - cachedAt).toBeGreaterThanOrEqual(CACHE_MS);
    expect(refused?.errors?.[0]?.message).toBe('invalid API key');
  });
});

describe('the partner contract', () => {
  it('refuses a field outside the public schema before any subgraph is called', async () => {
    shop.requests.length = 0;
    const res = await gql(gateway.url, '{ greeting items { id } }', {}, asKey(KEY));
    expect(errorCodes(res)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(res.errors?.[0]?.message).toMatch(/Cannot query field "items" on type "Query"/);
    expect(res.data).toBeUndefined();
    expect(shop.requests).toHaveLength(0);
    // A person's token alone is not held to the contract.
    const person = await gql(gateway.url, '{ items { id } }', {}, await bearer({ sub: 'usr-1' }));
    expect(person.errors).toBeUndefined();
  });

  it('answers introspection from the public schema only', async () => {
    const res = await gql<{
      __schema: { types: { name: string }[] };
      stats: unknown;
      item: { fields: { name: string }[] };
    }>(
      gateway.url,
      '{ __schema { types { name } } stats: __type(name: "Stats") { name } item: __type(name: "Item") { fields { name } } greeting }',
      {},
      asKey(KEY_2),
    );
    expect(res.errors).toBeUndefined();
    const names = res.data!.__schema.types.map((t) => t.name).filter((n) => !n.startsWith('__'));
    expect(names.sort()).toEqual(['Boolean', 'ID', 'Item', 'Mutation', 'Person', 'Query', 'String']);
    expect(res.data?.stats).toBeNull();
    expect(res.data?.item.fields.map((f) => f.name)).toEqual(['id', 'title']);
    expect((res.data as { greeting?: string }).greeting).toBe('hello');
    // Everyone else sees the API schema.
    const person = await gql<{ __type: { name: string } | null }>(
      gateway.url,
      '{ __type(name: "Stats") { name } }',
      {},
      await bearer({ sub: 'usr-1' }),
    );
    expect(person.data?.__type).toEqual({ name: 'Stats' });
  });

  it('without a public schema file, refuses API keys with a clear error and serves everyone else', async () => {
    const res = await gql(withoutContract.url, '{ greeting }', {}, asKey(KEY_2));
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(res.errors?.[0]?.message).toMatch(/no partner contract/);
    expect((await gql(withoutContract.url, '{ greeting }')).data).toEqual({ greeting: 'hello' });
  });
});
