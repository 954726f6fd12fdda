import { createHash } from 'node:crypto';
import type { RunningSubgraph } from '@attention-mesh/platform';
import {
  adminHeaders,
  callerHeaders,
  errorCodes,
  type GraphQLResponse,
  gql,
  startTestSubgraph,
  TEST_CALLERS,
} from '@attention-mesh/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { UsersRuntime } from '../src/runtime.js';
import { usersSubgraph } from '../src/server.js';

let sg: RunningSubgraph<UsersRuntime>;

const API_KEY = 'id partnerId name prefix scopes createdAt revokedAt';
const CREATE = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { ${API_KEY} } } }`;
const REVOKE = `mutation($id: ID!) { revokeApiKey(id: $id) { ${API_KEY} } }`;
const LIST = `query($partnerId: ID, $first: Int!, $after: String) {
  apiKeys(partnerId: $partnerId, first: $first, after: $after) {
    edges { cursor node { ${API_KEY} } } pageInfo { hasNextPage endCursor } } }`;
const IDENTIFY = `query($key: String!) { apiKeyIdentity(key: $key) { id partnerId scopes } }`;

interface ApiKey {
  id: string;
  partnerId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
}
type Created = { createApiKey: { key: string; apiKey: ApiKey } };
type Page = {
  apiKeys: {
    edges: { cursor: string; node: ApiKey }[];
    pageInfo: { hasNextPage: boolean; endCursor: string };
  };
};

/** The gateway, resolving a key: its own scope only. */
const gateway = () => callerHeaders({ scopes: ['mesh:gateway'] });
const ANONYMOUS = {};

beforeAll(async () => {
  sg = await startTestSubgraph(usersSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());
// Each test starts from no keys and makes the ones it needs.
beforeEach(async () => {
  await sg.runtime.ApiKey.deleteMany({});
});

async function create(input: Record<string, unknown>) {
  const res = await gql<Created>(sg.url, CREATE, { input }, adminHeaders());
  expect(res.errors).toBeUndefined();
  return res.data!.createApiKey;
}
const ACME = { partnerId: 'acme', name: 'Acme web', scopes: ['ads:request', 'events:write'] };

const identify = async (key: string) =>
  (await gql<{ apiKeyIdentity: unknown }>(sg.url, IDENTIFY, { key }, gateway())).data?.apiKeyIdentity;

describe('createApiKey', () => {
  it('shows the key once and stores only its prefix and SHA-256', async () => {
    const { key, apiKey } = await create({ ...ACME, name: ' Acme web ' });
    expect(key).toMatch(/^amk_[0-9a-f]{10}_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({
      partnerId: 'acme',
      name: 'Acme web',
      prefix: key.slice(4, 14),
      scopes: ['ads:request', 'events:write'],
      revokedAt: null,
    });
    expect(Date.parse(apiKey.createdAt)).toBeGreaterThan(Date.now() - 60_000);

    const stored = await sg.connection.collection('api_keys').findOne({ _id: apiKey.id as never });
    expect(Object.keys(stored ?? {}).sort()).toEqual(
      ['_id', 'createdAt', 'hash', 'name', 'partnerId', 'prefix', 'revokedAt', 'scopes'].sort(),
    );
    expect(stored).toMatchObject({
      prefix: apiKey.prefix,
      hash: createHash('sha256').update(key).digest('hex'),
      revokedAt: null,
      createdAt: Date.parse(apiKey.createdAt),
    });
    // Neither the key nor its secret part is anywhere in the stored document.
    const raw = JSON.stringify(stored);
    expect(raw).not.toContain(key);
    expect(raw).not.toContain(key.slice(15));

    // A second key for the same partner is another key.
    const second = await create(ACME);
    expect(second.key).not.toBe(key);
    expect(second.apiKey.prefix).not.toBe(apiKey.prefix);
  });

  it.each([
    [{ partnerId: 'Acme Corp' }, 'input.partnerId'],
    [{ partnerId: 'a'.repeat(65) }, 'input.partnerId'],
    [{ partnerId: '' }, 'input.partnerId'],
    [{ name: ' ' }, 'input.name'],
    [{ name: 'n'.repeat(101) }, 'input.name'],
    [{ scopes: [] }, 'input.scopes'],
    [{ scopes: ['admin'] }, 'input.scopes'],
    [{ scopes: ['mesh:gateway'] }, 'input.scopes'],
    [{ scopes: ['events:write', 'events:write'] }, 'input.scopes'],
  ])('refuses %j with BAD_USER_INPUT naming %s, storing nothing', async (bad, field) => {
    const res = await gql(sg.url, CREATE, { input: { ...ACME, ...bad } }, adminHeaders());
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.field).toBe(field);
    expect(await sg.runtime.ApiKey.countDocuments({})).toBe(0);
  });
});

describe('apiKeys', () => {
  it('lists keys in creation order, of one partner when asked, without any secret', async () => {
    const made = [
      await create(ACME),
      await create({ partnerId: 'globex', name: 'Globex', scopes: ['analytics:read'] }),
      await create({ ...ACME, name: 'Acme app' }),
    ];
    const seen: ApiKey[] = [];
    let after: string | null = null;
    for (;;) {
      const page: GraphQLResponse<Page> = await gql<Page>(sg.url, LIST, { first: 2, after }, adminHeaders());
      expect(page.errors).toBeUndefined();
      seen.push(...page.data!.apiKeys.edges.map((e) => e.node));
      // No key, no secret, no hash in what the API answers.
      for (const { key } of made) expect(JSON.stringify(page.data)).not.toContain(key.slice(15));
      if (!page.data!.apiKeys.pageInfo.hasNextPage) break;
      after = page.data!.apiKeys.pageInfo.endCursor;
    }
    expect(seen).toEqual(made.map((m) => m.apiKey));

    const acme = await gql<Page>(sg.url, LIST, { partnerId: 'acme', first: 10 }, adminHeaders());
    expect(acme.data?.apiKeys.edges.map((e) => e.node.name)).toEqual(['Acme web', 'Acme app']);
    // The hash is not even in the schema.
    const hash = await gql(sg.url, `{ apiKeys { edges { node { hash } } } }`, {}, adminHeaders());
    expect(errorCodes(hash)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(
      errorCodes(await gql(sg.url, LIST, { partnerId: 'Not A Slug', first: 1 }, adminHeaders())),
    ).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await gql(sg.url, LIST, { first: 101 }, adminHeaders()))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('apiKeyIdentity and revokeApiKey', () => {
  it('identifies a fresh key, and no one once it is revoked (revoking again changes nothing)', async () => {
    const { key, apiKey } = await create(ACME);
    expect(await identify(key)).toEqual({
      id: apiKey.id,
      partnerId: 'acme',
      scopes: ['ads:request', 'events:write'],
    });

    const revoked = await gql<{ revokeApiKey: ApiKey }>(sg.url, REVOKE, { id: apiKey.id }, adminHeaders());
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data?.revokeApiKey).toEqual({ ...apiKey, revokedAt: expect.any(String) });
    expect(await identify(key)).toBeNull();

    const again = await gql<{ revokeApiKey: ApiKey }>(sg.url, REVOKE, { id: apiKey.id }, adminHeaders());
    expect(again.data?.revokeApiKey).toEqual(revoked.data?.revokeApiKey);
    const listed = await gql<Page>(sg.url, LIST, { first: 10 }, adminHeaders());
    expect(listed.data?.apiKeys.edges[0]?.node.revokedAt).toBe(revoked.data?.revokeApiKey.revokedAt);

    const missing = await gql(sg.url, REVOKE, { id: 'key_nothing' }, adminHeaders());
    expect(errorCodes(missing)).toEqual(['NOT_FOUND']);
  });

  it('is null for a wrong secret with a right prefix, an unknown prefix and garbage', async () => {
    const { key } = await create(ACME);
    const last = key.at(-1) === 'A' ? 'B' : 'A';
    expect(await identify(`${key.slice(0, -1)}${last}`)).toBeNull();
    expect(await identify(`amk_0000000000_${key.slice(15)}`)).toBeNull();
    for (const garbage of ['', 'amk_', 'garbage', `${key} `, key.toUpperCase(), 'x'.repeat(10_000)])
      expect(await identify(garbage)).toBeNull();
    // The right key still works.
    expect(await identify(key)).toMatchObject({ partnerId: 'acme' });
  });
});

describe('who may use API keys', () => {
  const calls = () =>
    [
      ['createApiKey', CREATE, { input: ACME }],
      ['revokeApiKey', REVOKE, { id: 'key_any' }],
      ['apiKeys', LIST, { first: 1 }],
    ] as const;

  it('lets only an admin create, revoke and list keys', async () => {
    const callers = [
      ['a person', callerHeaders(TEST_CALLERS.person('u-alice')), 'FORBIDDEN'],
      ['an analyst', callerHeaders(TEST_CALLERS.analyst), 'FORBIDDEN'],
      [
        'a publisher key',
        callerHeaders(TEST_CALLERS.publisher('acme', ['ads:request', 'events:write', 'analytics:read'])),
        'FORBIDDEN',
      ],
      ['the gateway', gateway(), 'FORBIDDEN'],
      ['anonymous', ANONYMOUS, 'UNAUTHENTICATED'],
    ] as const;
    for (const [field, query, variables] of calls())
      for (const [who, headers, code] of callers) {
        const res = await gql(sg.url, query, variables, headers);
        expect([who, field, res.errors?.map((e) => [e.extensions?.code, e.path])]).toEqual([
          who,
          field,
          [[code, [field]]],
        ]);
      }
    expect(await sg.runtime.ApiKey.countDocuments({})).toBe(0);
  });

  it('answers apiKeyIdentity to the gateway only, never to an admin', async () => {
    const { key } = await create(ACME);
    expect(await identify(key)).toMatchObject({ partnerId: 'acme' });
    for (const [headers, code] of [
      [adminHeaders(), 'FORBIDDEN'],
      [callerHeaders({ ...TEST_CALLERS.admin, scopes: ['admin', 'analytics:read'] }), 'FORBIDDEN'],
      [callerHeaders(TEST_CALLERS.publisher('acme')), 'FORBIDDEN'],
      [callerHeaders(TEST_CALLERS.person('u-alice')), 'FORBIDDEN'],
      [ANONYMOUS, 'UNAUTHENTICATED'],
    ] as const) {
      const res = await gql(sg.url, IDENTIFY, { key }, headers);
      expect(res.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([[code, ['apiKeyIdentity']]]);
      expect(res.data?.apiKeyIdentity ?? null).toBeNull();
    }
  });
});
