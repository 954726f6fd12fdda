import type { RunningSubgraph } from '@attention-mesh/platform';
import { adminHeaders, errorFields, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FeedbackRuntime } from '../src/runtime.js';
import { feedbackSubgraph } from '../src/server.js';

/** A signal's strings and a user's feedback list are bounded: allowed at the bound, refused above it. */
let sg: RunningSubgraph<FeedbackRuntime>;
const FIVE_MB = 'x'.repeat(5 * 1024 * 1024);
const SUBMIT = `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { duplicate } }`;
const signal = (clientId: string, patch: Record<string, unknown> = {}) => ({
  input: { clientId, userId: 'u-b', target: { type: 'ITEM', id: 'i-b' }, kind: 'LIKE', ...patch },
});
type Res = Awaited<ReturnType<typeof gql>>;
const call = (query: string, variables: Record<string, unknown> = {}) =>
  gql(sg.url, query, variables, adminHeaders());
const refused = (res: Res, field: string) => expect(errorFields(res)).toEqual([['BAD_USER_INPUT', field]]);

beforeAll(async () => {
  sg = await startTestSubgraph(feedbackSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());

describe('feedback subgraph: bounds', () => {
  it('takes a comment of 1,000 characters and refuses 1,001', async () => {
    expect((await call(SUBMIT, signal('c-1000', { comment: 'c'.repeat(1000) }))).errors).toBeUndefined();
    refused(await call(SUBMIT, signal('c-1001', { comment: 'c'.repeat(1001) })), 'input.comment');
  });

  it.each([
    ['comment', { comment: FIVE_MB }, 'input.comment'],
    ['clientId', { clientId: FIVE_MB }, 'input.clientId'],
    ['userId', { userId: FIVE_MB }, 'input.userId'],
    ['target id', { target: { type: 'AD', id: FIVE_MB } }, 'input.target.id'],
  ])('refuses a 5 MB %s, storing nothing', async (_, patch, field) => {
    const before = await sg.runtime.Feedback.countDocuments();
    refused(await call(SUBMIT, signal('c-5mb', patch)), field);
    expect(await sg.runtime.Feedback.countDocuments()).toBe(before);
  });

  it('User.feedback takes first: 100 and refuses 101', async () => {
    const list = (n: number) =>
      `{ _entities(representations: [{ __typename: "User", id: "u-b" }]) { ... on User { feedback(first: ${n}) { edges { node { id } } } } } }`;
    expect((await call(list(100))).errors).toBeUndefined();
    refused(await call(list(101)), 'first');
  });

  it('feedback(id:) refuses an id over 64 characters', async () => {
    expect((await call(`{ feedback(id: "${'i'.repeat(64)}") { id } }`)).errors).toBeUndefined();
    refused(await call(`query($id: ID!) { feedback(id: $id) { id } }`, { id: FIVE_MB }), 'id');
  });
});
