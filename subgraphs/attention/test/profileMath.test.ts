import { utcHourOfWeek } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import {
  categoryShares,
  decayedValue,
  decayWeight,
  medianSpanSeconds,
  spanBucket,
  spanMove,
  weekCurve,
} from '../src/metrics/profileMath.js';

const DAY = 86_400_000;

describe('decay', () => {
  it('halves a contribution after one half-life', () => {
    const t = Date.UTC(2026, 5, 1);
    const stored = 100 * decayWeight(t, 7);
    expect(decayedValue(stored, t, 7)).toBeCloseTo(100);
    expect(decayedValue(stored, t + 7 * DAY, 7)).toBeCloseTo(50);
    expect(decayedValue(stored, t + 14 * DAY, 7)).toBeCloseTo(25);
  });

  it('weighs recent attention above old attention in the shares', () => {
    const now = Date.UTC(2026, 5, 1);
    const shares = categoryShares({
      old: 100 * decayWeight(now - 14 * DAY, 7),
      recent: 100 * decayWeight(now, 7),
    });
    expect(shares.map((s) => s.category)).toEqual(['recent', 'old']);
    expect(shares[0]!.share).toBeCloseTo(0.8);
  });
});

describe('week hours', () => {
  it('counts from Monday 00:00 UTC', () => {
    expect(utcHourOfWeek(Date.UTC(2026, 10, 29, 0))).toBe(6 * 24); // a Sunday
    expect(utcHourOfWeek(Date.UTC(2026, 10, 30, 0))).toBe(0); // a Monday
    expect(utcHourOfWeek(Date.UTC(2026, 11, 1, 13))).toBe(24 + 13); // a Tuesday
    const curve = weekCurve({ '0': 1, '167': 3 });
    expect(curve).toHaveLength(168);
    expect(curve[167]).toBe(0.75);
  });
});

describe('attention span', () => {
  it('bins and moves items between buckets', () => {
    expect(spanBucket(500)).toBe(0);
    expect(spanBucket(1000)).toBe(1);
    expect(spanBucket(3999)).toBe(2);
    expect(spanBucket(4000)).toBe(3);
    expect(spanMove(0, 4000)).toEqual({ '3': 1 });
    expect(spanMove(4000, 9000)).toEqual({ '3': -1, '4': 1 });
    expect(spanMove(4000, 5000)).toEqual({});
  });

  it('finds the median inside its bucket', () => {
    expect(medianSpanSeconds({})).toBeNull();
    expect(medianSpanSeconds({ '3': 2 })).toBe(6); // [4, 8): halfway
    expect(medianSpanSeconds({ '1': 1, '5': 3 })).toBeGreaterThanOrEqual(16);
  });
});
