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
import type { FeedbackRuntime } from '../src/runtime.js';
import { feedbackSubgraph } from '../src/server.js';

/** The feedback subgraph's access rules (rules.md): a person's signals are their own. */

let sg: RunningSubgraph<FeedbackRuntime>;

const SUBMIT = `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { duplicate feedback { id kind } } }`;
const FEEDBACK = `query($id: ID!) { feedback(id: $id) { id kind target { ... on Item { id } } } }`;
const FEEDBACK_ENTITY = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Feedback { id kind } } }`;
const USER_FEEDBACK = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { feedback(first: 5) { edges { node { id } } } } } }`;
const SUMMARY = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Item { feedbackSummary { likes } } ... on Ad { feedbackSummary { likes } } } }`;

const person = (id: string) => callerHeaders(TEST_CALLERS.person(id));
const ANONYMOUS = {};
const like = (clientId: string, userId = 'u1') => ({
  clientId,
  userId,
  target: { type: 'ITEM', id: 'i1' },
  kind: 'LIKE',
});

/** The first error's code and path. */
const firstError = (res: GraphQLResponse<unknown>) => ({
  code: res.errors?.[0]?.extensions?.code,
  path: res.errors?.[0]?.path,
});

beforeAll(async () => {
  sg = await startTestSubgraph(feedbackSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());
// Each test starts from no feedback and stores what it needs.
beforeEach(async () => {
  await sg.runtime.Feedback.deleteMany({});
  await sg.runtime.FeedbackSummary.deleteMany({});
  await sg.runtime.FeedbackUserIndex.deleteMany({});
  sg.runtime.userIndex.forget();
});

/** u1's like of i1, stored by u1; its id. */
async function u1Likes(): Promise<string> {
  const res = await gql<{ submitFeedback: { feedback: { id: string } } }>(
    sg.url,
    SUBMIT,
    { input: like('c-u1') },
    person('u1'),
  );
  expect(res.errors).toBeUndefined();
  return res.data!.submitFeedback.feedback.id;
}

describe('Mutation.submitFeedback', () => {
  it("takes a person's own signals, an admin's for anyone, and a person's signed in through a publisher", async () => {
    await u1Likes();
    const admin = await gql(sg.url, SUBMIT, { input: like('c-admin', 'u2') }, adminHeaders());
    expect(admin.errors).toBeUndefined();
    const through = await gql(
      sg.url,
      SUBMIT,
      { input: like('c-pub', 'u3') },
      callerHeaders(TEST_CALLERS.publisher('acme', ['events:write'], 'u3')),
    );
    expect(through.errors).toBeUndefined();
    expect((await sg.runtime.Feedback.find({}).lean()).map((f) => f.userId).sort()).toEqual([
      'u1',
      'u2',
      'u3',
    ]);
  });

  it("refuses another person's userId (before checking the input), a key alone and an anonymous caller", async () => {
    const other = await gql(sg.url, SUBMIT, { input: like('c-x', 'u1') }, person('u2'));
    expect(firstError(other)).toEqual({ code: 'FORBIDDEN', path: ['submitFeedback'] });
    const otherBad = await gql(
      sg.url,
      SUBMIT,
      { input: { ...like('c-y', 'u1'), kind: 'RATING' } },
      person('u2'),
    );
    expect(errorCodes(otherBad)).toEqual(['FORBIDDEN']);
    const key = await gql(
      sg.url,
      SUBMIT,
      { input: like('c-z') },
      callerHeaders(TEST_CALLERS.publisher('acme')),
    );
    expect(firstError(key)).toEqual({ code: 'FORBIDDEN', path: ['submitFeedback'] });
    const anonymous = await gql(sg.url, SUBMIT, { input: like('c-w') }, ANONYMOUS);
    expect(firstError(anonymous)).toEqual({ code: 'UNAUTHENTICATED', path: ['submitFeedback'] });
    expect(await sg.runtime.Feedback.countDocuments({})).toBe(0);
    expect(await sg.runtime.FeedbackSummary.countDocuments({})).toBe(0);
  });
});

describe('Query.feedback and Feedback references', () => {
  it('answer the person who sent it and an admin', async () => {
    const id = await u1Likes();
    const expected = { id, kind: 'LIKE', target: { id: 'i1' } };
    const own = await gql(sg.url, FEEDBACK, { id }, person('u1'));
    expect(own.errors).toBeUndefined();
    expect(own.data?.feedback).toEqual(expected);
    expect((await gql(sg.url, FEEDBACK, { id }, adminHeaders())).data?.feedback).toEqual(expected);
    const entity = await gql(sg.url, FEEDBACK_ENTITY, { r: [{ __typename: 'Feedback', id }] }, person('u1'));
    expect(entity.data?._entities).toEqual([{ id, kind: 'LIKE' }]);
    // A missing signal is null for an admin.
    const missing = await gql(sg.url, FEEDBACK, { id: 'fbk_missing' }, adminHeaders());
    expect(missing.errors).toBeUndefined();
    expect(missing.data?.feedback).toBeNull();
  });

  it('refuse anyone else with FORBIDDEN, whether the signal exists or not', async () => {
    const id = await u1Likes();
    const other = await gql(sg.url, FEEDBACK, { id }, person('u2'));
    expect(firstError(other)).toEqual({ code: 'FORBIDDEN', path: ['feedback'] });
    expect(other.data?.feedback).toBeNull();
    expect(errorCodes(await gql(sg.url, FEEDBACK, { id: 'fbk_missing' }, person('u2')))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await gql(sg.url, FEEDBACK, { id }, callerHeaders(TEST_CALLERS.analyst)))).toEqual([
      'FORBIDDEN',
    ]);
    const entity = await gql(sg.url, FEEDBACK_ENTITY, { r: [{ __typename: 'Feedback', id }] }, person('u2'));
    expect(firstError(entity)).toEqual({ code: 'FORBIDDEN', path: ['_entities', 0] });
    expect(firstError(await gql(sg.url, FEEDBACK, { id }, ANONYMOUS))).toEqual({
      code: 'UNAUTHENTICATED',
      path: ['feedback'],
    });
  });
});

describe('User.feedback', () => {
  const u1 = { r: [{ __typename: 'User', id: 'u1' }] };

  it("is the person's own list, or any for an admin", async () => {
    const id = await u1Likes();
    const own = await gql(sg.url, USER_FEEDBACK, u1, person('u1'));
    expect(own.errors).toBeUndefined();
    expect(own.data?._entities).toEqual([{ feedback: { edges: [{ node: { id } }] } }]);
    expect((await gql(sg.url, USER_FEEDBACK, u1, adminHeaders())).data?._entities).toEqual(
      own.data?._entities,
    );
  });

  it('refuses another person at the path and an anonymous caller', async () => {
    await u1Likes();
    const other = await gql(sg.url, USER_FEEDBACK, u1, person('u2'));
    expect(firstError(other)).toEqual({ code: 'FORBIDDEN', path: ['_entities', 0, 'feedback'] });
    expect(JSON.stringify(other.data)).not.toContain('fbk_');
    const anonymous = await gql(sg.url, USER_FEEDBACK, u1, ANONYMOUS);
    expect(firstError(anonymous)).toEqual({ code: 'UNAUTHENTICATED', path: ['_entities', 0, 'feedback'] });
  });
});

describe('Item.feedbackSummary and Ad.feedbackSummary', () => {
  const targets = {
    r: [
      { __typename: 'Item', id: 'i1' },
      { __typename: 'Ad', id: 'ad1' },
    ],
  };

  it('are for analysts (a data partner key included) and admins', async () => {
    await u1Likes();
    const expected = [{ feedbackSummary: { likes: 1 } }, { feedbackSummary: { likes: 0 } }];
    for (const headers of [
      callerHeaders(TEST_CALLERS.analyst),
      callerHeaders(TEST_CALLERS.publisher('data-co', ['analytics:read'])),
      adminHeaders(),
    ]) {
      const res = await gql(sg.url, SUMMARY, targets, headers);
      expect(res.errors).toBeUndefined();
      expect(res.data?._entities).toEqual(expected);
    }
  });

  it('are refused to a person, an ads key and an anonymous caller', async () => {
    for (const [headers, code] of [
      [person('u1'), 'FORBIDDEN'],
      [callerHeaders(TEST_CALLERS.publisher('acme')), 'FORBIDDEN'],
      [ANONYMOUS, 'UNAUTHENTICATED'],
    ] as const) {
      const res = await gql(sg.url, SUMMARY, targets, headers);
      expect(res.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([
        [code, ['_entities', 0, 'feedbackSummary']],
        [code, ['_entities', 1, 'feedbackSummary']],
      ]);
    }
  });
});

describe('a direct call in production', () => {
  const SECRET = 'a-production-secret-of-at-least-32-characters';
  let prod: RunningSubgraph<FeedbackRuntime>;
  beforeAll(async () => {
    prod = await startTestSubgraph(feedbackSubgraph, inject('mongoUri'), {
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
  const vars = { r: [{ __typename: 'Item', id: 'i1' }] };

  it('is refused with 401 without the signed context, or with one signed with another secret', async () => {
    for (const [query, variables] of [
      [SERVICE, {}],
      [SUMMARY, vars],
    ] as const) {
      const res = await gql(prod.url, query, variables);
      expect(res.status).toBe(401);
      expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
      expect((await gql(prod.url, query, variables, adminHeaders())).status).toBe(401);
    }
  });

  it('is answered with the context the gateway signs', async () => {
    const headers = callerHeaders(TEST_CALLERS.analyst, SECRET);
    const service = await gql<{ _service: { sdl: string } }>(prod.url, SERVICE, {}, headers);
    expect(service.status).toBe(200);
    expect(service.data?._service.sdl).toContain('submitFeedback');
    const entities = await gql(prod.url, SUMMARY, vars, headers);
    expect(entities.status).toBe(200);
    expect(entities.errors).toBeUndefined();
    expect(entities.data?._entities).toEqual([{ feedbackSummary: { likes: 0 } }]);
  });
});
