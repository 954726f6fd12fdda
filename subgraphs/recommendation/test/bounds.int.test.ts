import type { RunningSubgraph } from '@attention-mesh/platform';
import { adminHeaders, errorCodes, errorFields, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RecommendationRuntime, recommendationSubgraph } from '../src/server.js';

/** The catalogue's strings and URLs and the recommendation lists are bounded: allowed at it, refused above. */
let sg: RunningSubgraph<RecommendationRuntime>;
const FIVE_MB = 'x'.repeat(5 * 1024 * 1024);
const CREATE = `mutation($input: CreateItemInput!) { createItem(input: $input) { id url } }`;
const item = (id: string, patch: Record<string, unknown> = {}) => ({
  input: { id, title: 'Bounded', kind: 'ARTICLE', category: 'news', ...patch },
});
const url = (length: number) => `https://example.com/${'a'.repeat(length - 'https://example.com/'.length)}`;
type Res = Awaited<ReturnType<typeof gql>>;
const call = (query: string, variables: Record<string, unknown> = {}) =>
  gql(sg.url, query, variables, adminHeaders());
const refused = (res: Res, field: string) => expect(errorFields(res)).toEqual([['BAD_USER_INPUT', field]]);

beforeAll(async () => {
  sg = await startTestSubgraph(recommendationSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());

describe('recommendation subgraph: bounds', () => {
  it('takes an item URL of 2,048 characters', async () => {
    const res = await call(CREATE, item('itm-2048', { url: url(2048) }));
    expect(res.errors).toBeUndefined();
    expect((res.data as { createItem: { url: string } }).createItem.url).toHaveLength(2048);
  });

  it.each([
    ['2,049 characters', url(2049)],
    ['5 MB', `https://example.com/${FIVE_MB}`],
    ['not http(s)', 'file:///etc/passwd'],
  ])('refuses an item URL of %s, storing nothing', async (_, value) => {
    const before = await sg.runtime.Item.countDocuments();
    refused(await call(CREATE, item('itm-long', { url: value })), 'input.url');
    expect(await sg.runtime.Item.countDocuments()).toBe(before);
  });

  it.each([
    ['title', { title: FIVE_MB }, 'input.title'],
    ['id', { id: FIVE_MB }, 'input.id'],
    ['category', { category: FIVE_MB }, 'input.category'],
    ['tag', { tags: [FIVE_MB] }, 'input.tags'],
  ])('refuses a 5 MB %s, storing nothing', async (_, patch, field) => {
    const before = await sg.runtime.Item.countDocuments();
    refused(await call(CREATE, item('itm-5mb', patch)), field);
    expect(await sg.runtime.Item.countDocuments()).toBe(before);
  });

  it.each([
    ['Query.items', (n: number) => `{ items(first: ${n}) { edges { node { id } } } }`],
    ['Item.similar', (n: number) => `{ item(id: "itm-2048") { similar(first: ${n}) { similarity } } }`],
    [
      'User.recommendations',
      (n: number) =>
        `{ _entities(representations: [{ __typename: "User", id: "usr-b" }]) { ... on User { recommendations(first: ${n}) { edges { position } } } } }`,
    ],
  ])('%s takes first up to 100 and refuses 101 and 0', async (_, query) => {
    // An unknown user is NOT_FOUND, after the bound was checked.
    expect(errorCodes(await call(query(100)))).not.toContain('BAD_USER_INPUT');
    refused(await call(query(101)), 'first');
    refused(await call(query(0)), 'first');
  });

  it('item(id:) refuses an id over 64 characters', async () => {
    expect((await call(`{ item(id: "${'i'.repeat(64)}") { id } }`)).errors).toBeUndefined();
    refused(await call(`query($id: ID!) { item(id: $id) { id } }`, { id: FIVE_MB }), 'id');
  });
});
