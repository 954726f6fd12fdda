import type { MongoEventBus, RunningSubgraph } from '@attention-mesh/platform';
import {
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

/** submitFeedbackBatch against the real embedded database: idempotency, errors by index, access. */

let sg: RunningSubgraph<FeedbackRuntime>;
const BATCH = `mutation($inputs: [SubmitFeedbackInput!]!) { submitFeedbackBatch(inputs: $inputs) {
  accepted duplicates rejected { index clientId field message } feedback { id clientId kind } } }`;
interface BatchData {
  submitFeedbackBatch: {
    accepted: number;
    duplicates: number;
    rejected: { index: number; clientId: string | null; field: string }[];
    feedback: { id: string; clientId: string; kind: string }[];
  };
}
const signal = (clientId: string, patch: Record<string, unknown> = {}) => ({
  clientId,
  userId: 'u1',
  target: { type: 'ITEM', id: 'i1' },
  kind: 'LIKE',
  ...patch,
});
const as = (userId: string) => callerHeaders(TEST_CALLERS.person(userId));
const send = (inputs: unknown[], headers = as('u1')) => gql<BatchData>(sg.url, BATCH, { inputs }, headers);
const bus = () => (sg.events as MongoEventBus).connection.collection('events');

beforeAll(async () => {
  sg = await startTestSubgraph(feedbackSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());
beforeEach(async () => {
  await sg.runtime.Feedback.deleteMany({});
  await sg.runtime.FeedbackSummary.deleteMany({});
  await sg.runtime.FeedbackUserIndex.deleteMany({});
  sg.runtime.userIndex.forget();
  await bus().deleteMany({});
});

describe('submitFeedbackBatch', () => {
  it('stores a batch in one insert, counts it, indexes it and announces each signal once', async () => {
    const counter = commandCounter(sg.connection);
    const inputs = Array.from({ length: 40 }, (_, i) =>
      signal(`b${i}`, i % 2 ? { kind: 'RATING', rating: 4 } : { target: { type: 'ITEM', id: `i${i % 4}` } }),
    );
    const res = await send(inputs);
    counter.stop();
    expect(res.errors).toBeUndefined();
    expect(res.data?.submitFeedbackBatch).toMatchObject({ accepted: 40, duplicates: 0, rejected: [] });
    expect(res.data?.submitFeedbackBatch.feedback.map((f) => f.clientId)).toEqual(
      inputs.map((i) => i.clientId),
    );
    expect(counter.count('insert', 'feedback')).toBe(1);
    expect(await sg.runtime.Feedback.countDocuments({})).toBe(40);
    expect(await sg.runtime.FeedbackSummary.findById('ITEM:i1').lean()).toMatchObject({
      ratingCount: 20,
      ratingSum: 80,
    });
    expect(await bus().countDocuments({ type: 'feedback.received' })).toBe(40);
    expect(await sg.runtime.userIndex.head('u1')).toBe(40);
  });

  it('is idempotent by client id: a resent batch and a repeat inside one batch count nothing again', async () => {
    const first = await send([signal('r1'), signal('r2'), signal('r1')]);
    expect(first.data?.submitFeedbackBatch).toMatchObject({ accepted: 2, duplicates: 1 });
    const ids = first.data?.submitFeedbackBatch.feedback.map((f) => f.id);
    expect(ids?.[0]).toBe(ids?.[2]);
    const again = await send([signal('r2'), signal('r1'), signal('r3')]);
    expect(again.data?.submitFeedbackBatch).toMatchObject({ accepted: 1, duplicates: 2 });
    expect(again.data?.submitFeedbackBatch.feedback.map((f) => f.id).slice(0, 2)).toEqual([
      ids?.[1],
      ids?.[0],
    ]);
    expect(await sg.runtime.FeedbackSummary.findById('ITEM:i1').lean()).toMatchObject({ likes: 3 });
    expect(await bus().countDocuments({ type: 'feedback.received' })).toBe(3);
    // The same client id of another person is another signal.
    const other = await send([signal('r1', { userId: 'u2' })], as('u2'));
    expect(other.data?.submitFeedbackBatch).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it('rejects bad items alone, by index and field, and stores the rest', async () => {
    const res = await send([
      signal('e0'),
      signal('e1', { kind: 'RATING', rating: 7 }),
      signal('e2', { comment: 'x'.repeat(1001) }),
      signal('e3', { kind: 'COMPLAINT', reason: 'SPAM', target: { type: 'AD', id: 'ad1' } }),
      signal('bad id'),
    ]);
    expect(res.errors).toBeUndefined();
    const out = res.data!.submitFeedbackBatch;
    expect(out.accepted).toBe(2);
    expect(out.rejected.map((r) => [r.index, r.clientId, r.field])).toEqual([
      [1, 'e1', 'inputs[1].rating'],
      [2, 'e2', 'inputs[2].comment'],
      [4, null, 'inputs[4].clientId'],
    ]);
    expect(out.feedback.map((f) => f.clientId)).toEqual(['e0', 'e3']);
    expect(await sg.runtime.Feedback.countDocuments({})).toBe(2);
  });

  it('refuses a batch with another person’s signal whole (FORBIDDEN, extensions.index), storing nothing', async () => {
    const res = await send([signal('a0'), signal('a1', { userId: 'u2' }), signal('a2')]);
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(res.errors?.[0]?.extensions).toMatchObject({ index: 1, field: 'inputs[1].userId' });
    expect(await sg.runtime.Feedback.countDocuments({})).toBe(0);
    const anonymous = await send([signal('a0')], {});
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const admin = await send(
      [signal('a0'), signal('a1', { userId: 'u2' })],
      callerHeaders(TEST_CALLERS.admin),
    );
    expect(admin.data?.submitFeedbackBatch.accepted).toBe(2);
  });

  it('takes 1-500 items: none or 501 is BAD_USER_INPUT on inputs', async () => {
    for (const n of [0, 501]) {
      const res = await send(Array.from({ length: n }, (_, i) => signal(`n${i}`)));
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors?.[0]?.extensions?.field).toBe('inputs');
    }
    expect(await sg.runtime.Feedback.countDocuments({})).toBe(0);
  });
});
