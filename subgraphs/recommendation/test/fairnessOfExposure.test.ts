import { describe, expect, it } from 'vitest';
import { ExposureTracker, gini } from '../src/ranking/exposure.js';
import {
  disparateExposure,
  exposureByGroup,
  lorenzCurve,
  positionWeight,
  relevanceOf,
} from '../src/ranking/fairnessOfExposure.js';

describe('fairness of exposure', () => {
  it('weighs rank r by 1/log2(1+r)', () => {
    expect(positionWeight(1)).toBe(1);
    expect(positionWeight(2)).toBeCloseTo(1 / Math.log2(3), 12);
    expect(positionWeight(3)).toBe(0.5);
    expect(positionWeight(7)).toBeCloseTo(1 / 3, 12);
    expect(() => positionWeight(0)).toThrow(RangeError);
  });

  it('computes the Gini by hand: [1,2,3,4] is 0.25, with four unexposed items 0.625', () => {
    // Mean absolute difference over 2n²μ: 20/80, then (20 + 2·4·10)/(2·64·1.25).
    expect(gini([1, 2, 3, 4], 4)).toBeCloseTo(0.25, 12);
    expect(gini([4, 3, 2, 1], 8)).toBeCloseTo(0.625, 12);
    expect(gini([7, 7, 7], 3)).toBeCloseTo(0, 12);
  });

  it('splits exposure and relevance by group, with shares, ratios and the disparate exposure', () => {
    const group: Record<string, string> = { a1: 'X', a2: 'X', b1: 'Y', b2: 'Y' };
    const groups = exposureByGroup(
      [
        { itemId: 'a1', rank: 1, relevance: 0.6 },
        { itemId: 'b1', rank: 3, relevance: 0.6 },
        { itemId: 'a2', rank: 7, relevance: 0.3 },
        { itemId: 'b2', rank: 1, relevance: 0.5 },
      ],
      (id) => group[id],
    );
    // Exposure X = 1 + 1/3, Y = 1/2 + 1 (total 17/6); relevance X = 0.9, Y = 1.1.
    expect(groups.map((g) => g.group)).toEqual(['Y', 'X']);
    const [y, x] = groups as [(typeof groups)[0], (typeof groups)[0]];
    expect(x.exposures).toBe(2);
    expect(x.exposure).toBeCloseTo(4 / 3, 12);
    expect(x.exposureShare).toBeCloseTo(8 / 17, 12);
    expect(y.exposureShare).toBeCloseTo(9 / 17, 12);
    expect(x.relevanceShare).toBeCloseTo(0.45, 12);
    expect(y.relevanceShare).toBeCloseTo(0.55, 12);
    expect(x.ratio).toBeCloseTo(8 / 17 / 0.45, 12);
    expect(y.ratio).toBeCloseTo(9 / 17 / 0.55, 12);
    expect(disparateExposure(groups)).toBeCloseTo((8 * 0.55) / (9 * 0.45), 12);
  });

  it('groups unknown items under the fallback and clips relevance to [0, 1]', () => {
    const groups = exposureByGroup(
      [
        { itemId: 'p', rank: 1, relevance: 3 },
        { itemId: 'q', rank: 1, relevance: -1 },
      ],
      (id) => (id === 'p' ? 'known' : undefined),
    );
    expect(groups.map((g) => [g.group, g.relevance, g.ratio])).toEqual([
      ['known', 1, 0.5],
      ['none', 0, null],
    ]);
  });

  it('has no disparate exposure with one group, or when a relevant group got nothing', () => {
    expect(disparateExposure([{ ratio: 1.2 }, { ratio: null }])).toBeNull();
    expect(disparateExposure([{ ratio: 1.5 }, { ratio: 0 }])).toBeNull();
    expect(disparateExposure([{ ratio: 1.5 }, { ratio: 0.5 }, { ratio: 1 }])).toBeCloseTo(3, 12);
  });

  it('draws the Lorenz curve over the catalogue', () => {
    expect(lorenzCurve([10], 4, 4)).toEqual([0, 0, 0, 1]);
    expect(lorenzCurve([1, 1, 1, 1], 4, 2)).toEqual([0.5, 1]);
    expect(lorenzCurve([3, 1], 2, 4)).toEqual([0.125, 0.25, 0.625, 1]);
    expect(lorenzCurve([], 5, 3)).toEqual([0, 0, 0]);
  });

  it('normalises scores: sigmoid for the model, share of the top score for popularity', () => {
    expect(relevanceOf('MODEL', 0, 0)).toBe(0.5);
    expect(relevanceOf('MODEL', 2, 0)).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
    expect(relevanceOf('POPULARITY', 5, 10)).toBe(0.5);
    expect(relevanceOf('POPULARITY', 5, 0)).toBe(0);
    expect(relevanceOf('MODEL', Number.NaN, 0)).toBe(0);
  });

  it('keeps rank and relevance with each exposure of the window, forgetting the oldest', () => {
    const t = new ExposureTracker(3, 0.5);
    t.record('a', 1, 0.9);
    t.record('b', 2, 0.8);
    t.record('c', 3, 0.7);
    t.record('d', 1, 0.6);
    expect([...t.served()].sort((p, q) => p.itemId.localeCompare(q.itemId))).toEqual([
      { itemId: 'b', rank: 2, relevance: 0.8 },
      { itemId: 'c', rank: 3, relevance: 0.7 },
      { itemId: 'd', rank: 1, relevance: 0.6 },
    ]);
    expect(t.count('a')).toBe(0);
  });

  it('swaps a just-counted edge for the item an exploration slot showed instead', () => {
    const t = new ExposureTracker(3, 0.5);
    t.record('a', 1, 0.9);
    t.record('b', 2, 0.8);
    t.record('c', 3, 0.7);
    t.record('b', 1, 0.6); // the ring wraps: a leaves, b is at ranks 2 and 1
    expect(t.replaceRecent('b', 2, { itemId: 'x', rank: 2, relevance: 0.1 })).toBe(true);
    expect([...t.served()].sort((p, q) => p.itemId.localeCompare(q.itemId))).toEqual([
      { itemId: 'b', rank: 1, relevance: 0.6 },
      { itemId: 'c', rank: 3, relevance: 0.7 },
      { itemId: 'x', rank: 2, relevance: 0.1 },
    ]);
    expect([t.count('b'), t.count('x'), t.exposures, t.itemsExposed]).toEqual([1, 1, 3, 3]);
    // Nothing that recent at that rank: the window is left as it is.
    expect(t.replaceRecent('a', 1, { itemId: 'y', rank: 1, relevance: 1 })).toBe(false);
    expect(t.replaceRecent('c', 3, { itemId: 'y', rank: 3, relevance: 1 }, 1)).toBe(false);
    expect(t.count('y')).toBe(0);
  });
});
