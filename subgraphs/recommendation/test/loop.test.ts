import { type MeshEvent, meshEvent } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { modelFanout } from '../src/loop/modelSwapped.js';
import { stalenessOf } from '../src/loop/staleness.js';
import { UpdateNotifier, type UpdateReason } from '../src/loop/UpdateNotifier.js';
import type { UserSequenceModel } from '../src/models/UserSequence.js';
import {
  changeFromFeedback,
  DEFAULT_FEEDBACK_RULES,
  isPositive,
  updateReason,
} from '../src/sequences/sequenceChange.js';
import { UserCache } from '../src/sequences/UserCache.js';

const feedback = (
  kind: 'CLICK' | 'DWELL' | 'LIKE' | 'RATING' | 'HIDE' | 'DISLIKE' | 'COMPLAINT' | 'CONVERSION',
  extra: { rating?: number; dwellMs?: number } = {},
) =>
  meshEvent(
    'feedback.received',
    { __typename: 'Item', id: 'i1' },
    {
      feedbackId: `f-${kind}-${extra.rating ?? ''}-${extra.dwellMs ?? ''}`,
      kind,
      targetType: 'ITEM',
      targetId: 'i1',
      rating: extra.rating ?? null,
      dwellMs: extra.dwellMs ?? null,
      reason: null,
      occurredAt: 1,
    },
    { userId: 'u1' },
  );

describe('feedback rules', () => {
  const rules = DEFAULT_FEEDBACK_RULES;

  it('counts clicks, likes and conversions; ratings and dwell only from their thresholds', () => {
    for (const kind of ['CLICK', 'LIKE', 'CONVERSION'] as const)
      expect(isPositive({ kind, rating: null, dwellMs: null }, rules)).toBe(true);
    expect(isPositive({ kind: 'RATING', rating: 4, dwellMs: null }, rules)).toBe(true);
    expect(isPositive({ kind: 'RATING', rating: 3, dwellMs: null }, rules)).toBe(false);
    expect(isPositive({ kind: 'DWELL', rating: null, dwellMs: 10_000 }, rules)).toBe(true);
    expect(isPositive({ kind: 'DWELL', rating: null, dwellMs: 9_999 }, rules)).toBe(false);
    expect(
      isPositive({ kind: 'DWELL', rating: null, dwellMs: 3_000 }, { ...rules, positiveDwellMs: 2_000 }),
    ).toBe(true);
    for (const kind of ['HIDE', 'DISLIKE', 'COMPLAINT'] as const)
      expect(isPositive({ kind, rating: null, dwellMs: null }, rules)).toBe(false);
  });

  it('appends positives, hides HIDE/DISLIKE/COMPLAINT, ignores a short dwell or a low rating', () => {
    expect(changeFromFeedback(feedback('RATING', { rating: 5 }))!.append).toEqual(['i1']);
    expect(changeFromFeedback(feedback('RATING', { rating: 2 }))).toBeNull();
    expect(changeFromFeedback(feedback('DWELL', { dwellMs: 500 }))).toBeNull();
    const long = changeFromFeedback(feedback('DWELL', { dwellMs: 30_000 }))!;
    expect(long.append).toEqual(['i1']);
    expect(long.popularity).toEqual([{ itemId: 'i1', engagedMs: 30_000, interactions: 1 }]);
    expect(updateReason(long)).toBe('SEQUENCE');
    const complaint = changeFromFeedback(feedback('COMPLAINT'))!;
    expect(complaint).toMatchObject({ append: [], hide: ['i1'] });
    expect(updateReason(complaint)).toBe('HIDDEN');
    expect(updateReason({ ...complaint, hide: [] })).toBeNull();
  });
});

describe('staleness', () => {
  it('is stale from the threshold on, and always without a model', () => {
    expect(stalenessOf(9, 10)).toEqual({
      interactionsSinceTraining: 9,
      retrainAfterInteractions: 10,
      stale: false,
    });
    expect(stalenessOf(10, 10).stale).toBe(true);
    expect(stalenessOf(0, 10, false).stale).toBe(true);
  });
});

describe('UpdateNotifier', () => {
  function notifier(windowMs: number, fail = { times: 0 }) {
    const batches: MeshEvent[][] = [];
    const n = new UpdateNotifier({
      windowMs,
      build: (userId, reason) =>
        meshEvent(
          'recommendations.updated',
          { __typename: 'User', id: userId },
          { reason, modelVersion: 'v1', at: Date.now() },
          { userId },
        ),
      publish: async (events) => {
        if (fail.times > 0) {
          fail.times--;
          throw new Error('bus down');
        }
        batches.push(events);
      },
      onError: () => {},
    });
    const reasons = () =>
      batches.flat().map((e) => `${e.userId}:${(e.data as { reason: UpdateReason }).reason}`);
    return { n, batches, reasons };
  }

  it('coalesces a burst into one event per user, the strongest reason winning', async () => {
    const { n, batches, reasons } = notifier(60_000);
    for (let i = 0; i < 300; i++) n.notify('u1', 'SEQUENCE');
    n.notify('u1', 'HIDDEN');
    n.notify('u1', 'SEQUENCE');
    n.notify('u2', 'MODEL');
    expect(batches).toHaveLength(0);
    expect(n.waiting).toBe(2);
    await n.flush();
    expect(reasons()).toEqual(['u1:HIDDEN', 'u2:MODEL']);
    expect(n.published).toBe(2);
  });

  it('publishes at the end of the window without a flush, and a change after it gets its own event', async () => {
    const { n, reasons } = notifier(20);
    n.notify('u1', 'SEQUENCE');
    await until(() => reasons().length === 1);
    n.notify('u1', 'HIDDEN');
    await until(() => reasons().length === 2);
    expect(reasons()).toEqual(['u1:SEQUENCE', 'u1:HIDDEN']);
    await n.stop();
  });

  it('keeps the users of a failed publish for the next window: the last change is never lost', async () => {
    const fail = { times: 2 };
    const { n, reasons } = notifier(10, fail);
    n.notify('u1', 'SEQUENCE');
    n.notify('u2', 'SEQUENCE');
    await until(() => reasons().length === 2, 5_000);
    expect(reasons().sort()).toEqual(['u1:SEQUENCE', 'u2:SEQUENCE']);
    expect(fail.times).toBe(0);
  });

  it('publishes what is pending when stopped', async () => {
    const { n, reasons } = notifier(60_000);
    n.notify('u3', 'HIDDEN');
    await n.stop();
    expect(reasons()).toEqual(['u3:HIDDEN']);
  });
});

describe('model fan-out', () => {
  it('tells recently active users whose history a model knows, newest first, bounded', () => {
    const users = new UserCache({} as UserSequenceModel, 100);
    const doc = (id: string, items: string[], at: number) =>
      users.put({ _id: id, items, hidden: [], applied: [], version: 1, updatedAt: at }, at);
    doc('old', ['a'], 1_000);
    doc('empty', [], 5_000);
    doc('unknown', ['zz'], 6_000);
    doc('recent', ['a', 'b'], 7_000);
    doc('newest', ['b'], 8_000);
    const knows = (ids: string[]) => ({ knowsAny: (h: readonly string[]) => h.some((i) => ids.includes(i)) });
    expect(modelFanout({ users }, knows(['a', 'b']), null, { since: 2_000, limit: 10 })).toEqual([
      'newest',
      'recent',
    ]);
    expect(modelFanout({ users }, knows(['a']), knows(['zz']), { since: 0, limit: 10 })).toEqual([
      'recent',
      'unknown',
      'old',
    ]);
    expect(modelFanout({ users }, knows(['a', 'b']), null, { since: 0, limit: 1 })).toEqual(['newest']);
  });
});

describe('UserCache activity', () => {
  it('counts reads of known users as activity, not lookups of unknown ids', async () => {
    const stored = { _id: 'known', items: ['a'], hidden: [], applied: [], version: 1, updatedAt: 1 };
    const model = {
      findById: (id: string) => ({ lean: async () => (id === 'known' ? stored : null) }),
    } as unknown as UserSequenceModel;
    const users = new UserCache(model, 10);
    expect(await users.get('nobody', 5_000)).toBeNull();
    expect(await users.get('known', 6_000)).toMatchObject({ _id: 'known' });
    expect(users.activeSince(0, 10)).toEqual(['known']);
    expect(users.activeSince(7_000, 10)).toEqual([]);
  });
});

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
