import { TEST_CALLERS } from '@attention-mesh/testkit';
import type { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { feedbackIdOf } from '../src/ingest/feedbackDoc.js';
import { checkBatch, requireBatchRights } from '../src/ingest/submitFeedbackBatch.js';
import type { FeedbackSignal } from '../src/rules/feedbackRules.js';

const now = Date.UTC(2026, 0, 10);
const like = (clientId: string, patch: Partial<FeedbackSignal> = {}): FeedbackSignal => ({
  clientId,
  userId: 'u1',
  target: { type: 'ITEM', id: 'i1' },
  kind: 'LIKE',
  ...patch,
});
const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as GraphQLError;
  }
  throw new Error('did not throw');
};

describe('batch validation', () => {
  it('rejects bad items by index, naming the field, and keeps the good ones', () => {
    const { docs, rejected } = checkBatch(
      [like('a'), like('b', { kind: 'RATING', rating: 9 }), like('bad id'), like('d', { kind: 'COMPLAINT' })],
      now,
      500,
    );
    expect(docs.map((d) => d.index)).toEqual([0]);
    expect(rejected).toEqual([
      expect.objectContaining({ index: 1, clientId: 'b', field: 'inputs[1].rating' }),
      expect.objectContaining({ index: 2, clientId: null, field: 'inputs[2].clientId' }),
      expect.objectContaining({ index: 3, clientId: 'd', field: 'inputs[3].reason' }),
    ]);
  });

  it('takes 1 to maxBatch items', () => {
    expect(thrown(() => checkBatch([], now, 500)).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'inputs',
    });
    const many = Array.from({ length: 501 }, (_, i) => like(`c${i}`));
    expect(thrown(() => checkBatch(many, now, 500)).extensions.field).toBe('inputs');
    expect(checkBatch(many.slice(0, 500), now, 500).docs).toHaveLength(500);
  });

  it('refuses a batch holding another user’s signal whole, naming its index', () => {
    const err = thrown(() =>
      requireBatchRights(TEST_CALLERS.person('u1'), [like('a'), like('b'), like('c', { userId: 'u2' })]),
    );
    expect(err.extensions).toMatchObject({ code: 'FORBIDDEN', index: 2, field: 'inputs[2].userId' });
    expect(() => requireBatchRights(TEST_CALLERS.admin, [like('c', { userId: 'u2' })])).not.toThrow();
  });

  it('derives the id from the sender and the client id', () => {
    expect(feedbackIdOf('u1', 'a')).toBe(feedbackIdOf('u1', 'a'));
    expect(feedbackIdOf('u1', 'a')).not.toBe(feedbackIdOf('u2', 'a'));
    expect(feedbackIdOf('u1', 'a')).toMatch(/^fbk_[A-Za-z0-9_-]{27}$/);
  });
});
