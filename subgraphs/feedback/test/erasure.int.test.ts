import { type MongoEventBus, meshEvent, type RunningSubgraph } from '@attention-mesh/platform';
import {
  adminHeaders,
  callerHeaders,
  errorCodes,
  gql,
  startTestSubgraph,
  TEST_CALLERS,
  waitFor,
} from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FeedbackRuntime } from '../src/runtime.js';
import { feedbackSubgraph } from '../src/server.js';

/**
 * Erasure in feedback against the real embedded database and bus: `user.erased` deletes the user's
 * signals and index entries (summaries stay), stores the tombstone, reports `user.erasure.completed`,
 * and the id's later signals are refused (alone, and by index in a batch).
 */

let sg: RunningSubgraph<FeedbackRuntime>;
const GONE = 'u-erased-fb';
const SUBMIT = 'mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { duplicate } }';
const BATCH = `mutation($inputs: [SubmitFeedbackInput!]!) { submitFeedbackBatch(inputs: $inputs) {
  accepted rejected { index field code } } }`;
const signal = (clientId: string, userId: string, kind = 'LIKE') => ({
  clientId,
  userId,
  target: { type: 'ITEM', id: 'i-erasure' },
  kind,
});
const archive = () => (sg.events as MongoEventBus).connection.collection('events');
const completions = async () =>
  (await archive().find({ type: 'user.erasure.completed' }).toArray()).map(
    (e) => e.data as { service: string; removed: number },
  );

beforeAll(async () => {
  sg = await startTestSubgraph(feedbackSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());

describe('erasure', () => {
  it('deletes the signals and index entries, keeps the summary, reports completion, refuses later signals', async () => {
    const person = () => callerHeaders(TEST_CALLERS.person(GONE));
    for (const s of [signal('e1', GONE), signal('e2', GONE, 'CLICK')])
      expect((await gql(sg.url, SUBMIT, { input: s }, person())).errors).toBeUndefined();
    expect(await sg.runtime.FeedbackUserIndex.countDocuments({ _id: { $regex: `^${GONE}` } })).toBe(4);

    await sg.events.publish([
      meshEvent('user.erased', { __typename: 'User', id: GONE }, {}, { userId: GONE }),
    ]);
    const done = await waitFor(completions, (c) => c.length === 1);
    // Two signals, each in the user's list and its kind's list.
    expect(done[0]).toMatchObject({ service: 'feedback', removed: 6 });
    expect(await sg.runtime.Feedback.countDocuments({ userId: GONE })).toBe(0);
    expect(await sg.runtime.FeedbackUserIndex.countDocuments({ _id: { $regex: `^${GONE}` } })).toBe(0);
    // The per-target summary is an aggregate: it stays.
    const summary = await sg.runtime.FeedbackSummary.findById('ITEM:i-erasure').lean();
    expect(summary).toMatchObject({ likes: 1 });
    expect(
      await sg.runtime.tombstones.model.countDocuments({ _id: sg.runtime.tombstones.hashOf(GONE) }),
    ).toBe(1);

    const again = await gql(sg.url, SUBMIT, { input: signal('e3', GONE) }, person());
    expect(errorCodes(again)).toEqual(['USER_ERASED']);
    const batch = await gql<{
      submitFeedbackBatch: { accepted: number; rejected: { index: number; field: string; code: string }[] };
    }>(sg.url, BATCH, { inputs: [signal('e4', 'u-kept'), signal('e5', GONE)] }, adminHeaders());
    expect(batch.errors).toBeUndefined();
    expect(batch.data?.submitFeedbackBatch).toEqual({
      accepted: 1,
      rejected: [{ index: 1, field: 'inputs[1].userId', code: 'USER_ERASED' }],
    });
    expect(await sg.runtime.Feedback.countDocuments({ userId: GONE })).toBe(0);

    // A redelivered erasure is harmless: it finds nothing and reports again.
    await sg.events.publish([
      meshEvent('user.erased', { __typename: 'User', id: GONE }, {}, { userId: GONE }),
    ]);
    const twice = await waitFor(completions, (c) => c.length === 2);
    expect(twice[1]).toMatchObject({ service: 'feedback', removed: 0 });
  });
});
