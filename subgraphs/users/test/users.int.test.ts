import type { RunningSubgraph } from '@attention-mesh/platform';
import {
  adminHeaders,
  commandCounter,
  errorCodes,
  type GraphQLResponse,
  gql,
  startTestSubgraph,
} from '@attention-mesh/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { UsersRuntime } from '../src/runtime.js';
import { usersSubgraph } from '../src/server.js';

let sg: RunningSubgraph<UsersRuntime>;
type UsersPage = {
  users: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
};

const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { id displayName email country timezone segments consent { analytics personalization } } }`;

beforeAll(async () => {
  sg = await startTestSubgraph(usersSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());
// Each test starts from no users and makes the ones it needs.
beforeEach(async () => {
  await sg.runtime.User.deleteMany({});
});

const ALICE = {
  id: 'u-alice',
  displayName: ' Alice ',
  email: 'Alice@Example.com',
  country: 'FR',
  timezone: 'Europe/Paris',
  segments: ['news', 'news'],
  consent: { analytics: true },
};

describe('users subgraph', () => {
  it('creates a user, idempotently by client id', async () => {
    const input = ALICE;
    const first = await gql(sg.url, CREATE, { input }, adminHeaders());
    expect(first.errors).toBeUndefined();
    expect(first.data?.createUser).toEqual({
      id: 'u-alice',
      displayName: 'Alice',
      email: 'alice@example.com',
      country: 'FR',
      timezone: 'Europe/Paris',
      segments: ['news'],
      consent: { analytics: true, personalization: false },
    });
    const again = await gql(sg.url, CREATE, { input: { ...input, displayName: 'Changed' } }, adminHeaders());
    expect(again.data?.createUser).toMatchObject({ displayName: 'Alice' });
    expect(await sg.runtime.User.countDocuments({})).toBe(1);
  });

  it.each([
    [{ displayName: '' }, 'input.displayName'],
    [{ email: 'not-an-email' }, 'input.email'],
    [{ country: 'France' }, 'input.country'],
    [{ timezone: 'Mars/Olympus' }, 'input.timezone'],
    [{ locale: 'English' }, 'input.locale'],
    [{ segments: ['Not A Slug'] }, 'input.segments'],
    [{ id: 'bad id with spaces' }, 'input.id'],
  ])('rejects bad input %j and writes nothing', async (bad, field) => {
    const before = await sg.runtime.User.countDocuments({});
    const res = await gql(sg.url, CREATE, { input: { displayName: 'Bob', ...bad } });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.field).toBe(field);
    expect(await sg.runtime.User.countDocuments({})).toBe(before);
  });

  it('updates consent and profile; unknown users are NOT_FOUND', async () => {
    await gql(sg.url, CREATE, { input: ALICE });
    const res = await gql(
      sg.url,
      `mutation { updateConsent(userId: "u-alice", consent: { personalization: true }) { consent { analytics personalization } } }`,
      {},
      adminHeaders(),
    );
    expect(res.data?.updateConsent).toEqual({ consent: { analytics: true, personalization: true } });
    const upd = await gql(
      sg.url,
      `mutation { updateUser(id: "u-alice", input: { segments: ["sports"] }) { segments } }`,
      {},
      adminHeaders(),
    );
    expect(upd.data?.updateUser).toEqual({ segments: ['sports'] });
    const missing = await gql(
      sg.url,
      `mutation { updateUser(id: "nobody", input: { displayName: "X" }) { id } }`,
      {},
      adminHeaders(),
    );
    expect(errorCodes(missing)).toEqual(['NOT_FOUND']);
    const bad = await gql(
      sg.url,
      `mutation { updateUser(id: "u-alice", input: { country: "xx" }) { id } }`,
      {},
      adminHeaders(),
    );
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect((await sg.runtime.User.findById('u-alice').lean())?.country).toBe('FR');
  });

  it('pages through users and rejects malformed cursors and oversized pages', async () => {
    await gql(sg.url, CREATE, { input: ALICE });
    for (let i = 0; i < 4; i++) await gql(sg.url, CREATE, { input: { displayName: `User ${i}` } });
    const q = `query($after: String, $first: Int!) { users(first: $first, after: $after) { edges { node { id } cursor } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: GraphQLResponse<UsersPage> = await gql<UsersPage>(
        sg.url,
        q,
        { first: 2, after },
        adminHeaders(),
      );
      seen.push(...page.data!.users.edges.map((e) => e.node.id));
      if (!page.data!.users.pageInfo.hasNextPage) break;
      after = page.data!.users.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(errorCodes(await gql(sg.url, q, { first: 2, after: 'garbage' }, adminHeaders()))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(errorCodes(await gql(sg.url, q, { first: 101 }, adminHeaders()))).toEqual(['BAD_USER_INPUT']);
  });

  it('resolves many User references with one database query', async () => {
    await gql(sg.url, CREATE, { input: ALICE });
    for (let i = 0; i < 4; i++) await gql(sg.url, CREATE, { input: { displayName: `User ${i}` } });
    const ids = (await sg.runtime.User.find({}).lean()).map((u) => u._id);
    const counter = commandCounter(sg.connection);
    const res = await gql<{ _entities: { id: string; displayName: string }[] }>(
      sg.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id displayName } } }`,
      { r: [...ids, 'missing'].map((id) => ({ __typename: 'User', id })) },
      adminHeaders(),
    );
    counter.stop();
    expect(res.data?._entities.slice(0, ids.length).map((u) => u.id)).toEqual(ids);
    expect(res.data?._entities.at(-1)).toBeNull();
    expect(counter.count('find', 'users')).toBe(1);
  });

  it('refuses a forged internal context', async () => {
    const res = await gql(
      sg.url,
      '{ users(first: 1) { edges { cursor } } }',
      {},
      { 'x-mesh-context': 'e30.forged' },
    );
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
  });
});
