import type { RunningSubgraph } from '@attention-mesh/platform';
import { callerHeaders, errorCodes, gql, startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { FeedbackRuntime } from '../src/runtime.js';
import { feedbackSubgraph } from '../src/server.js';
import { findFilters } from './support/findFilters.js';

/** User.feedback from the per-user lists: order, pages, the kind filter, bounds, reads by `_id` only. */

let sg: RunningSubgraph<FeedbackRuntime>;
const BATCH = `mutation($inputs: [SubmitFeedbackInput!]!) { submitFeedbackBatch(inputs: $inputs) { accepted } }`;
const PAGE = `query($r: [_Any!]!, $first: Int!, $after: String, $kind: FeedbackKind) { _entities(representations: $r) {
  ... on User { feedback(first: $first, after: $after, kind: $kind) { edges { cursor node { clientId kind } }
  pageInfo { hasNextPage hasPreviousPage endCursor } } } } }`;
interface Page {
  edges: { cursor: string; node: { clientId: string; kind: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
}
const asU1 = () => callerHeaders(TEST_CALLERS.person('u1'));
const signal = (clientId: string, kind = 'LIKE') => ({
  clientId,
  userId: 'u1',
  target: { type: 'ITEM', id: 'i1' },
  kind,
  ...(kind === 'RATING' ? { rating: 3 } : {}),
});
async function page(args: { first: number; after?: string | null; kind?: string }, userId = 'u1') {
  const res = await gql<{ _entities: { feedback: Page }[] }>(
    sg.url,
    PAGE,
    { r: [{ __typename: 'User', id: userId }], ...args },
    asU1(),
  );
  return res;
}
/** Stores `n` signals of u1 in batches of `size`, in order: c0 is the oldest. */
async function store(n: number, size = 50, kindOf = (i: number) => (i % 3 === 0 ? 'RATING' : 'LIKE')) {
  for (let start = 0; start < n; start += size) {
    const inputs = Array.from({ length: Math.min(size, n - start) }, (_, j) =>
      signal(`c${start + j}`, kindOf(start + j)),
    );
    const res = await gql(sg.url, BATCH, { inputs }, asU1());
    expect(res.errors).toBeUndefined();
  }
}

beforeAll(async () => {
  sg = await startTestSubgraph(feedbackSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());
beforeEach(async () => {
  await sg.runtime.Feedback.deleteMany({});
  await sg.runtime.FeedbackUserIndex.deleteMany({});
  sg.runtime.userIndex.forget();
});

describe('User.feedback', () => {
  it('pages newest first with cursors, across batches and single submits', async () => {
    await store(24, 10);
    const single = await gql(
      sg.url,
      `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { duplicate } }`,
      { input: signal('c24') },
      asU1(),
    );
    expect(single.errors).toBeUndefined();
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 3; i++) {
      const res = await page({ first: 10, after });
      const p: Page = res.data!._entities[0]!.feedback;
      seen.push(...p.edges.map((e) => e.node.clientId));
      expect(p.pageInfo.hasNextPage).toBe(i < 2);
      expect(p.pageInfo.hasPreviousPage).toBe(i > 0);
      after = p.pageInfo.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `c${24 - i}`));
  });

  it('filters by kind from its own index', async () => {
    await store(30);
    const res = await page({ first: 100, kind: 'RATING' });
    expect(res.data!._entities[0]!.feedback.edges.map((e) => e.node.clientId)).toEqual(
      Array.from({ length: 10 }, (_, i) => `c${27 - 3 * i}`),
    );
  });

  it('reads only by exact _id: the index document, then each signal', async () => {
    await store(30);
    const filters = findFilters(sg.connection);
    const res = await page({ first: 10 });
    filters.stop();
    expect(res.data!._entities[0]!.feedback.edges).toHaveLength(10);
    // The next entry number (is there a newer one?), 10 entries, 10 signals.
    expect(filters.seen.length).toBe(21);
    for (const f of filters.seen) expect(Object.keys(f.filter)).toEqual(['_id']);
    for (const f of filters.seen) expect(typeof f.filter._id).toBe('string');
  });

  it('lists the whole history, found again from the stored entries after a restart', async () => {
    await store(130);
    sg.runtime.userIndex.forget(); // as a fresh process: the list's end is found by exact-_id probes
    expect(await sg.runtime.userIndex.head('u1')).toBe(130);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const p: Page = (await page({ first: 100, after })).data!._entities[0]!.feedback;
      seen.push(...p.edges.map((e) => e.node.clientId));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: 130 }, (_, i) => `c${129 - i}`));
    await store(1, 1, () => 'LIKE'); // c0 again: a duplicate, not listed twice
    expect(await sg.runtime.userIndex.head('u1')).toBe(130);
  });

  it('appends after entries another writer stored meanwhile', async () => {
    await store(3);
    const c1 = await sg.runtime.FeedbackUserIndex.findById('u1#2').lean();
    // Another process appended entry 4 of u1's list (here: c1 again) without this one knowing.
    await sg.runtime.FeedbackUserIndex.create({
      _id: 'u1#4',
      feedbackId: c1!.feedbackId,
      receivedAt: Date.now(),
    });
    await store(1, 1, () => 'LIKE'); // c0 again: duplicate
    const res = await gql(sg.url, BATCH, { inputs: [signal('late')] }, asU1());
    expect(res.errors).toBeUndefined();
    expect(await sg.runtime.userIndex.head('u1')).toBe(5);
    const p = (await page({ first: 3 })).data!._entities[0]!.feedback;
    expect(p.edges.map((e) => e.node.clientId)).toEqual(['late', 'c1', 'c2']);
  });

  it('bounds first to 1-100 and refuses a cursor it did not issue', async () => {
    await store(3);
    for (const first of [0, 101]) expect(errorCodes(await page({ first }))).toEqual(['BAD_USER_INPUT']);
    const bad = await page({ first: 5, after: 'bm90LWEtY3Vyc29y' });
    const notANumber = await page({ first: 5, after: Buffer.from('c1:x').toString('base64url') });
    expect(errorCodes(notANumber)).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors?.[0]?.extensions?.field).toBe('after');
  });

  it('is the person’s own to read', async () => {
    await store(3);
    expect(errorCodes(await page({ first: 5 }, 'u2'))).toEqual(['FORBIDDEN']);
  });
});
