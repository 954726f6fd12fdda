import type { RunningSubgraph } from '@attention-mesh/platform';
import { adminHeaders, errorFields, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { UsersRuntime } from '../src/runtime.js';
import { usersSubgraph } from '../src/server.js';

/** Profile strings and the admin lists are bounded: allowed at the bound, refused above it. */
let sg: RunningSubgraph<UsersRuntime>;
const FIVE_MB = 'x'.repeat(5 * 1024 * 1024);
const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`;
const KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }`;
type Res = Awaited<ReturnType<typeof gql>>;
const call = (query: string, variables: Record<string, unknown> = {}) =>
  gql(sg.url, query, variables, adminHeaders());
const refused = (res: Res, field: string) => {
  expect(errorFields(res)).toEqual([['BAD_USER_INPUT', field]]);
  // The refusal does not echo the input back.
  expect(JSON.stringify(res.errors).length).toBeLessThan(2_000);
};

beforeAll(async () => {
  sg = await startTestSubgraph(usersSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());

describe('users subgraph: bounds', () => {
  it('takes a display name of 100 characters and refuses 101', async () => {
    expect(
      (await call(CREATE, { input: { id: 'usr-100', displayName: 'd'.repeat(100) } })).errors,
    ).toBeUndefined();
    refused(
      await call(CREATE, { input: { id: 'usr-101', displayName: 'd'.repeat(101) } }),
      'input.displayName',
    );
  });

  it.each([
    ['displayName', { displayName: FIVE_MB }],
    ['id', { id: FIVE_MB }],
    ['email', { email: `${FIVE_MB}@example.com` }],
    ['locale', { locale: `en-${'a'.repeat(40)}` }],
    ['locale', { locale: FIVE_MB }],
    ['timezone', { timezone: FIVE_MB }],
    ['country', { country: FIVE_MB }],
    ['segments', { segments: [FIVE_MB] }],
  ])('refuses a too long %s, storing nothing', async (field, patch) => {
    const before = await sg.runtime.User.countDocuments();
    refused(
      await call(CREATE, { input: { id: 'usr-long', displayName: 'Long', ...patch } }),
      `input.${field}`,
    );
    expect(await sg.runtime.User.countDocuments()).toBe(before);
  });

  it('refuses a 5 MB API key name or partner id, storing nothing', async () => {
    const before = await sg.runtime.ApiKey.countDocuments();
    refused(
      await call(KEY, { input: { partnerId: 'p-1', name: FIVE_MB, scopes: ['ads:request'] } }),
      'input.name',
    );
    refused(
      await call(KEY, { input: { partnerId: FIVE_MB, name: 'Key', scopes: ['ads:request'] } }),
      'input.partnerId',
    );
    expect(await sg.runtime.ApiKey.countDocuments()).toBe(before);
  });

  it.each([
    ['users', (n: number) => `{ users(first: ${n}) { edges { node { id } } } }`],
    ['apiKeys', (n: number) => `{ apiKeys(first: ${n}) { edges { node { id } } } }`],
  ])('%s takes first: 100 and refuses 101', async (_, query) => {
    expect((await call(query(100))).errors).toBeUndefined();
    refused(await call(query(101)), 'first');
  });
});
