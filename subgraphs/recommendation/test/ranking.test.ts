import { type FeedbackReceivedData, meshEvent } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { UnitEmbeddings } from '../src/ranking/embeddings.js';
import { capExposure, ExposureTracker, gini } from '../src/ranking/exposure.js';
import { mmr, mmrUnitRows } from '../src/ranking/mmr.js';
import { PopularityRanking } from '../src/ranking/popularity.js';
import { topK, topKEligible } from '../src/ranking/topK.js';
import { applyChange, changeFromAttention, changeFromFeedback } from '../src/sequences/sequenceChange.js';

describe('topK', () => {
  it('matches a full sort, skipping rejected indices, -Infinity and NaN', () => {
    const scores = new Float32Array(5_000);
    let x = 7;
    for (let i = 0; i < scores.length; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      scores[i] = x / 2 ** 31;
    }
    scores[3] = Number.NEGATIVE_INFINITY;
    scores[4] = Number.NaN;
    const skip = (i: number) => i % 7 === 0;
    const expected = [...scores]
      .map((score, index) => ({ index, score }))
      .filter((c) => !skip(c.index) && Number.isFinite(c.score))
      .sort((a, b) => b.score - a.score)
      .slice(0, 25);
    expect(topK(scores, 25, skip)).toEqual(expected);
    expect(topK(scores, 0)).toEqual([]);
    expect(topK(new Float32Array([1, 2]), 5).map((c) => c.index)).toEqual([1, 0]);
  });
});

describe('topKEligible', () => {
  it('matches topK with the same rejections, ties broken by the lower index', () => {
    let x = 11;
    const next = () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x / 2 ** 31;
    };
    for (const k of [1, 7, 100]) {
      const scores = new Float32Array(3_000);
      // Few distinct values, so many ties cross the heap's floor.
      for (let i = 0; i < scores.length; i++) scores[i] = Math.floor(next() * 40) / 40;
      scores[5] = Number.NEGATIVE_INFINITY;
      scores[6] = Number.NaN;
      scores[7] = 2;
      const eligible = new Uint8Array(scores.length);
      for (let i = 0; i < eligible.length; i++) eligible[i] = next() < 0.8 ? 1 : 0;
      eligible[7] = 0;
      expect(topKEligible(scores, k, eligible)).toEqual(topK(scores, k, (i) => eligible[i] === 0));
    }
    expect(topKEligible(new Float32Array([1, 2]), 5, new Uint8Array([1, 1]))).toEqual([
      { index: 1, score: 2 },
      { index: 0, score: 1 },
    ]);
    expect(topKEligible(new Float32Array([1, 2]), 0, new Uint8Array([1, 1]))).toEqual([]);
  });
});

describe('MMR', () => {
  // Items 0 and 1 point the same way; 2 and 3 elsewhere.
  const emb = new UnitEmbeddings(new Float32Array([1, 0, 0.99, 0.1, 0, 1, -1, 0.2]), 4, 2);
  const candidates = [
    { index: 0, score: 1.0 },
    { index: 1, score: 0.95 },
    { index: 2, score: 0.9 },
    { index: 3, score: 0.5 },
  ];

  it('moves a near-duplicate of the top item down', () => {
    const order = mmr(candidates, (a, b) => emb.cosine(a, b), 0.5, 4).map((c) => c.index);
    expect(order[0]).toBe(0);
    expect(order.indexOf(1)).toBeGreaterThan(order.indexOf(2));
  });

  it('keeps the score order at lambda 1', () => {
    expect(mmr(candidates, (a, b) => emb.cosine(a, b), 1, 3).map((c) => c.index)).toEqual([0, 1, 2]);
  });

  it('gives the same picks over unit rows as over the cosine callback', () => {
    const dim = 16;
    const count = 400;
    const raw = new Float32Array(count * dim);
    let x = 5;
    for (let i = 0; i < raw.length; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      raw[i] = x / 2 ** 31 - 0.5;
    }
    const unit = new UnitEmbeddings(raw, count, dim);
    const pool = Array.from({ length: 100 }, (_, i) => ({ index: (i * 37) % count, score: 1 - i / 100 }));
    // Ties: the same rows under equal scores, and equal scores on different rows.
    const ties = Array.from({ length: 60 }, (_, i) => ({ index: i % 7, score: Math.floor(i / 10) }));
    for (const lambda of [0, 0.3, 0.7, 0.95, 1]) {
      for (const candidates of [pool, ties]) {
        expect(mmrUnitRows(candidates, unit.rows, dim, lambda, 30)).toEqual(
          mmr(candidates, (a, b) => unit.cosine(a, b), lambda, 30),
        );
      }
    }
    expect(mmrUnitRows([], unit.rows, dim, 0.7, 30)).toEqual([]);
  });

  it('computes unit rows', () => {
    expect(emb.cosine(0, 0)).toBeCloseTo(1, 5);
    expect(emb.cosine(0, 2)).toBeCloseTo(0, 5);
    expect([...emb.cosineToAll(0)].map((v) => Math.round(v * 100) / 100)).toEqual([1, 0.99, 0, -0.98]);
  });
});

describe('exposure fairness', () => {
  it('caps an item at its share of the window and forgets old exposures', () => {
    const t = new ExposureTracker(100, 0.05);
    expect(t.limit).toBe(5);
    for (let i = 0; i < 5; i++) t.record('a');
    expect(t.allows('a')).toBe(false);
    expect(t.allows('b')).toBe(true);
    for (let i = 0; i < 100; i++) t.record(`x${i % 50}`);
    expect(t.count('a')).toBe(0);
    expect(t.exposures).toBe(100);
    expect(t.itemsExposed).toBe(50);
    expect(t.maxShare()).toBeCloseTo(0.02);
  });

  it('moves items at their cap behind the others without dropping them', () => {
    expect(capExposure(['a', 'b', 'c', 'd'], (x) => x !== 'a' && x !== 'c')).toEqual(['b', 'd', 'a', 'c']);
  });

  it('computes the Gini of exposure over the catalogue', () => {
    expect(gini([5, 5, 5, 5], 4)).toBeCloseTo(0);
    expect(gini([10], 4)).toBeCloseTo(0.75);
    expect(gini([], 4)).toBe(0);
    expect(gini([1, 3], 2)).toBeCloseTo(0.25);
  });
});

describe('popularity', () => {
  it('weighs engaged time with interactions, per category', () => {
    const cats: Record<string, string> = { a: 'tech', b: 'tech', c: 'news' };
    const p = new PopularityRanking((id) => cats[id], 0);
    p.add('a', { interactions: 1 });
    p.add('b', { engagedMs: 90_000 });
    p.add('c', { interactions: 2 });
    expect(p.ranked(null)).toEqual(['b', 'c', 'a']);
    expect(p.ranked('tech')).toEqual(['b', 'a']);
    expect(p.ranked('sports')).toEqual([]);
  });
});

describe('sequence changes', () => {
  const feedback = (kind: FeedbackReceivedData['kind'], feedbackId: string, targetId = 'i1') =>
    meshEvent(
      'feedback.received',
      { __typename: 'Feedback', id: feedbackId },
      {
        feedbackId,
        kind,
        targetType: 'ITEM',
        targetId,
        rating: null,
        dwellMs: null,
        reason: null,
        occurredAt: 1,
      },
      { userId: 'u1' },
    );
  const empty = { items: [], hidden: [], applied: [], version: 0 };

  it('appends interactions, hides on HIDE/DISLIKE, and applies a feedback id once', () => {
    const click = changeFromFeedback(feedback('CLICK', 'f1'))!;
    const after = applyChange(empty, click, 5)!;
    expect(after).toMatchObject({ items: ['i1'], hidden: [], applied: ['fb:f1'], version: 1 });
    expect(applyChange(after, changeFromFeedback(feedback('CLICK', 'f1'))!, 6)).toBeNull();
    const hide = applyChange(after, changeFromFeedback(feedback('HIDE', 'f2', 'i9'))!, 7)!;
    expect(hide).toMatchObject({ items: ['i1'], hidden: ['i9'], version: 2 });
    expect(changeFromFeedback(feedback('DISLIKE', 'f3'))!.hide).toEqual(['i1']);
  });

  it('takes engaged ITEM targets of attention.recorded, in order', () => {
    const e = meshEvent(
      'attention.recorded',
      { __typename: 'User', id: 'u1' },
      {
        events: 4,
        impressions: 0,
        clicks: 0,
        engagedMs: 205,
        targets: [
          { type: 'ITEM', id: 'a', engagedMs: 100 },
          { type: 'AD', id: 'ad', engagedMs: 100 },
          { type: 'ITEM', id: 'b', engagedMs: 0 },
          { type: 'ITEM', id: 'c', engagedMs: 5 },
        ],
        lastEventAt: 1,
      },
      { userId: 'u1' },
    );
    const change = changeFromAttention(e)!;
    expect(change.append).toEqual(['a', 'c']);
    expect(change.appliedId).toBe(`ev:${e.id}`);
    expect(applyChange({ ...empty, items: ['x', 'a'] }, change, 1)!.items).toEqual(['x', 'a', 'c']);
  });
});
