import type { MongoEventBus, RunningSubgraph } from '@attention-mesh/platform';
import {
  adminHeaders,
  callerHeaders,
  commandCounter,
  errorCodes,
  gql,
  startTestSubgraph,
  TEST_CALLERS,
} from '@attention-mesh/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { FeedbackRuntime } from '../src/runtime.js';
import { feedbackSubgraph } from '../src/server.js';
import { findFilters } from './support/findFilters.js';

let sg: RunningSubgraph<FeedbackRuntime>;
const SUBMIT = `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { duplicate feedback { id kind rating } } }`;
const input = (clientId: string, patch: Record<string, unknown> = {}) => ({
  clientId,
  userId: 'u1',
  target: { type: 'ITEM', id: 'i1' },
  kind: 'LIKE',
  ...patch,
});
/** u1, the person who sends the signals (fresh headers per call). */
const asU1 = () => callerHeaders(TEST_CALLERS.person('u1'));

beforeAll(async () => {
  sg = await startTestSubgraph(feedbackSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());
// Each test starts from no feedback and no events, and stores the signals it needs.
beforeEach(async () => {
  await sg.runtime.Feedback.deleteMany({});
  await sg.runtime.FeedbackSummary.deleteMany({});
  await sg.runtime.FeedbackUserIndex.deleteMany({});
  sg.runtime.userIndex.forget();
  // The bus's log and its archive of published events (a new consumer reads the log from its start).
  await (sg.events as MongoEventBus).connection.collection('log').deleteMany({});
  await (sg.events as MongoEventBus).connection.collection('events').deleteMany({});
});

/** A like and two ratings of item i1 by u1, and a complaint about ad ad1. */
async function storeFour() {
  const signals: [string, Record<string, unknown>][] = [
    ['f1', {}],
    ['f2', { kind: 'RATING', rating: 4 }],
    ['f3', { kind: 'RATING', rating: 2 }],
    ['f4', { kind: 'COMPLAINT', reason: 'MISLEADING', target: { type: 'AD', id: 'ad1' } }],
  ];
  for (const [clientId, patch] of signals)
    await gql(sg.url, SUBMIT, { input: input(clientId, patch) }, asU1());
}

describe('feedback subgraph', () => {
  it('stores a signal once per client id and counts it once', async () => {
    const first = await gql<{ submitFeedback: { duplicate: boolean; feedback: { id: string } } }>(
      sg.url,
      SUBMIT,
      { input: input('f1') },
      asU1(),
    );
    expect(first.data?.submitFeedback.duplicate).toBe(false);
    const again = await gql<typeof first.data & object>(sg.url, SUBMIT, { input: input('f1') }, asU1());
    expect(again.data?.submitFeedback).toEqual({ ...first.data?.submitFeedback, duplicate: true });
    await gql(sg.url, SUBMIT, { input: input('f2', { kind: 'RATING', rating: 4 }) }, asU1());
    await gql(sg.url, SUBMIT, { input: input('f3', { kind: 'RATING', rating: 2 }) }, asU1());
    await gql(
      sg.url,
      SUBMIT,
      { input: input('f4', { kind: 'COMPLAINT', reason: 'MISLEADING', target: { type: 'AD', id: 'ad1' } }) },
      asU1(),
    );
    expect(await sg.runtime.Feedback.countDocuments({})).toBe(4);
    expect(await sg.runtime.FeedbackSummary.findById('ITEM:i1').lean()).toMatchObject({
      likes: 1,
      ratingCount: 2,
      ratingSum: 6,
    });
  });

  it('announces each stored signal once as feedback.received', async () => {
    await storeFour();
    const heard: { userId?: string; data: unknown }[] = [];
    const sub = sg.events.subscribe('test.feedback', ['feedback.received'], async (e) => {
      heard.push(e);
    });
    await expect.poll(() => heard.length, { timeout: 10_000 }).toBe(4);
    await gql(sg.url, SUBMIT, { input: input('f1') }, asU1());
    await gql(sg.url, SUBMIT, { input: input('f5', { kind: 'HIDE', userId: 'u2' }) }, adminHeaders());
    await expect.poll(() => heard.length, { timeout: 10_000 }).toBe(5);
    await sub.stop();
    expect(heard[4]).toMatchObject({
      userId: 'u2',
      data: { kind: 'HIDE', targetType: 'ITEM', targetId: 'i1', rating: null },
    });
    expect(heard.filter((e) => (e.data as { kind: string }).kind === 'COMPLAINT')).toHaveLength(1);
    await sg.runtime.Feedback.deleteOne({ clientId: 'f5' });
  });

  it.each([
    [{ kind: 'RATING' }, 'input.rating'],
    [{ kind: 'RATING', rating: 6 }, 'input.rating'],
    [{ kind: 'LIKE', rating: 3 }, 'input.rating'],
    [{ kind: 'DWELL', dwellMs: -1 }, 'input.dwellMs'],
    [{ kind: 'COMPLAINT' }, 'input.reason'],
    [{ occurredAt: new Date(Date.now() - 8 * 86_400_000).toISOString() }, 'input.occurredAt'],
    [{ clientId: 'has spaces' }, 'input.clientId'],
  ])('rejects %j and writes nothing', async (bad, field) => {
    await storeFour();
    const res = await gql(sg.url, SUBMIT, { input: { ...input('fx'), ...bad } }, asU1());
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.field).toBe(field);
    expect(await sg.runtime.Feedback.countDocuments({})).toBe(4);
  });

  it('lists a user feedback newest first and summarises targets by exact _id', async () => {
    await storeFour();
    const page = await gql<{
      _entities: { feedback: { edges: { node: { kind: string } }[]; pageInfo: { hasNextPage: boolean } } }[];
    }>(
      sg.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { feedback(first: 3) { edges { node { kind } } pageInfo { hasNextPage } } } } }`,
      { r: [{ __typename: 'User', id: 'u1' }] },
      asU1(),
    );
    expect(page.data?._entities[0]?.feedback.edges.map((e) => e.node.kind)).toEqual([
      'COMPLAINT',
      'RATING',
      'RATING',
    ]);
    expect(page.data?._entities[0]?.feedback.pageInfo.hasNextPage).toBe(true);

    const counter = commandCounter(sg.connection);
    const filters = findFilters(sg.connection);
    const res = await gql<{ _entities: { feedbackSummary: Record<string, unknown> }[] }>(
      sg.url,
      `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Item { feedbackSummary { likes ratingCount ratingAverage complaints } }
        ... on Ad { feedbackSummary { likes ratingCount ratingAverage complaints } } } }`,
      {
        r: [
          { __typename: 'Item', id: 'i1' },
          { __typename: 'Ad', id: 'ad1' },
          { __typename: 'Item', id: 'none' },
        ],
      },
      adminHeaders(),
    );
    counter.stop();
    filters.stop();
    expect(res.data?._entities.map((e) => e.feedbackSummary)).toMatchObject([
      { likes: 1, ratingCount: 2, ratingAverage: 3, complaints: 0 },
      { likes: 0, ratingCount: 0, ratingAverage: null, complaints: 1 },
      { likes: 0, ratingCount: 0, ratingAverage: null, complaints: 0 },
    ]);
    // One read per target, each an exact `_id` (the embedded database scans anything else).
    expect(counter.count('find', 'feedback_summaries')).toBe(3);
    expect(
      filters.seen.every((f) => typeof f.filter._id === 'string' && Object.keys(f.filter).length === 1),
    ).toBe(true);
  });
});

describe('feedback under concurrency', () => {
  it('counts every one of many parallel signals on a new target exactly once', async () => {
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        gql(sg.url, SUBMIT, { input: input(`par-${i}`, { target: { type: 'ITEM', id: 'hot' } }) }, asU1()),
      ),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(await sg.runtime.FeedbackSummary.findById('ITEM:hot').lean()).toMatchObject({ likes: 24 });
  });
});
