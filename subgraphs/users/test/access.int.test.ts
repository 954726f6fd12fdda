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

/** The users subgraph's access rules (rules.md): who may read and change which user. */

let sg: RunningSubgraph<UsersRuntime>;

const alice = () => callerHeaders(TEST_CALLERS.person('u-alice'));
const bob = () => callerHeaders(TEST_CALLERS.person('u-bob'));
const ANONYMOUS = {};

/** The nine personal fields of rules.md, as selections. */
const PERSONAL_FIELDS = [
  'displayName',
  'email',
  'country',
  'locale',
  'timezone',
  'segments',
  'consent { analytics }',
  'createdAt',
  'updatedAt',
];
const PERSONAL = PERSONAL_FIELDS.join(' ');
const USER = `query($id: ID!) { user(id: $id) { id ${PERSONAL} } }`;
const ENTITY_EMAIL = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }`;

beforeAll(async () => {
  sg = await startTestSubgraph(usersSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());
// Each test starts from Alice and Bob only.
beforeEach(async () => {
  await sg.runtime.User.deleteMany({});
  for (const [id, email] of [
    ['u-alice', 'alice@example.com'],
    ['u-bob', 'bob@example.com'],
  ])
    await gql(sg.url, `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
      input: { id, displayName: id, email },
    });
});

/** The first error's code and path. */
const firstError = (res: GraphQLResponse<unknown>) => ({
  code: res.errors?.[0]?.extensions?.code,
  path: res.errors?.[0]?.path,
});

describe('Query.user', () => {
  it('answers the person themselves and an admin', async () => {
    const own = await gql<{ user: Record<string, unknown> }>(sg.url, USER, { id: 'u-alice' }, alice());
    expect(own.errors).toBeUndefined();
    expect(own.data?.user).toMatchObject({ id: 'u-alice', email: 'alice@example.com', locale: 'en' });
    const admin = await gql<{ user: { email: string } }>(sg.url, USER, { id: 'u-alice' }, adminHeaders());
    expect(admin.errors).toBeUndefined();
    expect(admin.data?.user.email).toBe('alice@example.com');
  });

  it('refuses another person (FORBIDDEN, existing or not), an analyst and an anonymous caller', async () => {
    const other = await gql(sg.url, USER, { id: 'u-alice' }, bob());
    expect(firstError(other)).toEqual({ code: 'FORBIDDEN', path: ['user'] });
    expect(other.data?.user).toBeNull();
    // A missing user looks the same to someone else: existence is not told.
    expect(errorCodes(await gql(sg.url, USER, { id: 'u-nobody' }, bob()))).toEqual(['FORBIDDEN']);
    expect(
      errorCodes(await gql(sg.url, USER, { id: 'u-alice' }, callerHeaders(TEST_CALLERS.analyst))),
    ).toEqual(['FORBIDDEN']);
    expect(firstError(await gql(sg.url, USER, { id: 'u-alice' }, ANONYMOUS))).toEqual({
      code: 'UNAUTHENTICATED',
      path: ['user'],
    });
  });
});

describe('Query.me', () => {
  const ME = `{ me { id displayName email } }`;

  it("is the caller's own user, or null when it does not exist", async () => {
    const me = await gql(sg.url, ME, {}, alice());
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toEqual({ id: 'u-alice', displayName: 'u-alice', email: 'alice@example.com' });
    const none = await gql(sg.url, ME, {}, callerHeaders(TEST_CALLERS.person('u-new')));
    expect(none.errors).toBeUndefined();
    expect(none.data?.me).toBeNull();
  });

  it('needs a person: anonymous is UNAUTHENTICATED, a key without a person FORBIDDEN', async () => {
    expect(firstError(await gql(sg.url, ME, {}, ANONYMOUS))).toEqual({
      code: 'UNAUTHENTICATED',
      path: ['me'],
    });
    const key = await gql(sg.url, ME, {}, callerHeaders(TEST_CALLERS.publisher('acme')));
    expect(firstError(key)).toEqual({ code: 'FORBIDDEN', path: ['me'] });
    // Signed in through the publisher: the person's own user.
    const through = await gql(
      sg.url,
      `{ me { id email } }`,
      {},
      callerHeaders(TEST_CALLERS.publisher('acme', ['ads:request'], 'u-bob')),
    );
    expect(through.data?.me).toEqual({ id: 'u-bob', email: 'bob@example.com' });
  });
});

describe('Query.users', () => {
  const USERS = `{ users(first: 10) { edges { node { id email } } } }`;

  it('is for admins only', async () => {
    const admin = await gql<{ users: { edges: { node: { id: string; email: string } }[] } }>(
      sg.url,
      USERS,
      {},
      adminHeaders(),
    );
    expect(admin.errors).toBeUndefined();
    expect(admin.data?.users.edges.map((e) => e.node.email).sort()).toEqual([
      'alice@example.com',
      'bob@example.com',
    ]);
    expect(firstError(await gql(sg.url, USERS, {}, alice()))).toEqual({ code: 'FORBIDDEN', path: ['users'] });
    expect(firstError(await gql(sg.url, USERS, {}, ANONYMOUS))).toEqual({
      code: 'UNAUTHENTICATED',
      path: ['users'],
    });
  });
});

describe('personal User fields, however the user is reached', () => {
  const reps = (...ids: string[]) => ({ r: ids.map((id) => ({ __typename: 'User', id })) });

  it('gives an entity reference its personal fields for the person themselves and an admin', async () => {
    const own = await gql<{ _entities: { id: string; email: string }[] }>(
      sg.url,
      ENTITY_EMAIL,
      reps('u-alice'),
      alice(),
    );
    expect(own.errors).toBeUndefined();
    expect(own.data?._entities).toEqual([{ id: 'u-alice', email: 'alice@example.com' }]);
    const admin = await gql<{ _entities: { email: string }[] }>(
      sg.url,
      ENTITY_EMAIL,
      reps('u-alice', 'u-bob'),
      adminHeaders(),
    );
    expect(admin.errors).toBeUndefined();
    expect(admin.data?._entities.map((u) => u.email)).toEqual(['alice@example.com', 'bob@example.com']);
  });

  it("refuses another person's personal fields at their path, field by field", async () => {
    const res = await gql<{ _entities: ({ id: string; email: string | null } | null)[] }>(
      sg.url,
      ENTITY_EMAIL,
      reps('u-alice', 'u-bob'),
      bob(),
    );
    expect(res.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([
      ['FORBIDDEN', ['_entities', 0, 'email']],
    ]);
    // email is nullable: Alice's stays hidden, Bob's own comes through.
    expect(res.data?._entities).toEqual([
      { id: 'u-alice', email: null },
      { id: 'u-bob', email: 'bob@example.com' },
    ]);
    // Every personal field is guarded, not only email (one at a time: a non-null field's error cuts the rest).
    for (const selection of PERSONAL_FIELDS) {
      const field = selection.split(' ')[0];
      const one = await gql(
        sg.url,
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { ${selection} } } }`,
        reps('u-alice'),
        bob(),
      );
      expect(one.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([
        ['FORBIDDEN', ['_entities', 0, field]],
      ]);
    }
  });

  it('leaves id open: an anonymous caller gets the id and UNAUTHENTICATED for the rest', async () => {
    const ids = await gql(
      sg.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }`,
      reps('u-alice'),
    );
    expect(ids.errors).toBeUndefined();
    expect(ids.data?._entities).toEqual([{ id: 'u-alice' }]);
    const email = await gql(sg.url, ENTITY_EMAIL, reps('u-alice'));
    expect(firstError(email)).toEqual({ code: 'UNAUTHENTICATED', path: ['_entities', 0, 'email'] });
  });
});

describe('Mutation.createUser', () => {
  const CREATE = (fields: string) =>
    `mutation($input: CreateUserInput!) { createUser(input: $input) { ${fields} } }`;

  it('is open, but an anonymous sign-up can select only the id of the user it made', async () => {
    const ok = await gql(sg.url, CREATE('id'), { input: { id: 'u-carol', displayName: 'Carol' } });
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.createUser).toEqual({ id: 'u-carol' });
    const name = await gql(sg.url, CREATE('id displayName'), { input: { id: 'u-dan', displayName: 'Dan' } });
    expect(firstError(name)).toEqual({ code: 'UNAUTHENTICATED', path: ['createUser', 'displayName'] });
    // The user was created all the same; only the answer was cut.
    expect(await sg.runtime.User.exists({ _id: 'u-dan' })).toBeTruthy();
  });

  it('shows the new user to the person it belongs to', async () => {
    const res = await gql(
      sg.url,
      CREATE('id displayName'),
      { input: { id: 'u-erin', displayName: 'Erin' } },
      callerHeaders(TEST_CALLERS.person('u-erin')),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.createUser).toEqual({ id: 'u-erin', displayName: 'Erin' });
  });
});

describe('Mutation.updateUser and updateConsent', () => {
  const UPDATE = `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id segments } }`;
  const CONSENT = `mutation($id: ID!) { updateConsent(userId: $id, consent: { analytics: true }) { id consent { analytics } } }`;
  const stored = async () => sg.runtime.User.findById('u-alice').lean();

  it('let the person themselves and an admin change the user', async () => {
    const own = await gql(sg.url, UPDATE, { id: 'u-alice', input: { segments: ['news'] } }, alice());
    expect(own.errors).toBeUndefined();
    expect(own.data?.updateUser).toEqual({ id: 'u-alice', segments: ['news'] });
    const admin = await gql(sg.url, UPDATE, { id: 'u-alice', input: { segments: ['tech'] } }, adminHeaders());
    expect(admin.data?.updateUser).toEqual({ id: 'u-alice', segments: ['tech'] });
    const consent = await gql(sg.url, CONSENT, { id: 'u-alice' }, alice());
    expect(consent.errors).toBeUndefined();
    expect(consent.data?.updateConsent).toEqual({ id: 'u-alice', consent: { analytics: true } });
    const byAdmin = await gql(sg.url, CONSENT, { id: 'u-bob' }, adminHeaders());
    expect(byAdmin.errors).toBeUndefined();
    expect((await sg.runtime.User.findById('u-bob').lean())?.consent.analytics).toBe(true);
  });

  it('refuse another person (before checking input or existence) and change nothing', async () => {
    const before = await stored();
    const other = await gql(sg.url, UPDATE, { id: 'u-alice', input: { segments: ['spam'] } }, bob());
    expect(firstError(other)).toEqual({ code: 'FORBIDDEN', path: ['updateUser'] });
    // Bad input or a missing user: still FORBIDDEN, so nothing is told about someone else's user.
    expect(errorCodes(await gql(sg.url, UPDATE, { id: 'u-alice', input: { country: 'xx' } }, bob()))).toEqual(
      ['FORBIDDEN'],
    );
    expect(errorCodes(await gql(sg.url, UPDATE, { id: 'u-nobody', input: {} }, bob()))).toEqual([
      'FORBIDDEN',
    ]);
    const consent = await gql(sg.url, CONSENT, { id: 'u-alice' }, bob());
    expect(firstError(consent)).toEqual({ code: 'FORBIDDEN', path: ['updateConsent'] });
    expect(await stored()).toEqual(before);
  });

  it('refuse an anonymous caller', async () => {
    const before = await stored();
    expect(firstError(await gql(sg.url, UPDATE, { id: 'u-alice', input: { segments: ['x'] } }))).toEqual({
      code: 'UNAUTHENTICATED',
      path: ['updateUser'],
    });
    expect(firstError(await gql(sg.url, CONSENT, { id: 'u-alice' }))).toEqual({
      code: 'UNAUTHENTICATED',
      path: ['updateConsent'],
    });
    expect(await stored()).toEqual(before);
  });
});

describe('a direct call in production', () => {
  const SECRET = 'a-production-secret-of-at-least-32-characters';
  let prod: RunningSubgraph<UsersRuntime>;
  beforeAll(async () => {
    prod = await startTestSubgraph(usersSubgraph, inject('mongoUri'), {
      env: {
        NODE_ENV: 'production',
        MESH_INTERNAL_SECRET: SECRET,
        MESH_ERASURE_SECRET: SECRET,
        LOG_LEVEL: 'warn',
      },
    });
  });
  afterAll(() => prod?.stop());

  const SERVICE = '{ _service { sdl } }';
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }`;
  const vars = { r: [{ __typename: 'User', id: 'u-alice' }] };

  it('is refused with 401 without the signed context, or with one signed with another secret', async () => {
    for (const [query, variables] of [
      [SERVICE, {}],
      [ENTITIES, vars],
    ] as const) {
      const res = await gql(prod.url, query, variables);
      expect(res.status).toBe(401);
      expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
      expect(res.data ?? null).toBeNull();
      expect((await gql(prod.url, query, variables, adminHeaders())).status).toBe(401);
    }
  });

  it('is answered with the context the gateway signs', async () => {
    const headers = callerHeaders(TEST_CALLERS.person('u-alice'), SECRET);
    const service = await gql<{ _service: { sdl: string } }>(prod.url, SERVICE, {}, headers);
    expect(service.status).toBe(200);
    expect(service.data?._service.sdl).toContain('apiKeyIdentity');
    const entities = await gql(prod.url, ENTITIES, vars, headers);
    expect(entities.status).toBe(200);
    expect(entities.errors).toBeUndefined();
    expect(entities.data?._entities).toEqual([null]);
  });
});
