import { describe, expect, it } from 'vitest';
import { groupClipped, releasedMetric } from '../src/analytics/partnerRelease.js';
import type { ViewDelta } from '../src/metrics/attentionMetrics.js';
import type { AttentionEventDoc, AttentionRollupDoc } from '../src/models/index.js';
import { clipContributions } from '../src/privacy/clipContributions.js';
import type { DpBounds, DpDayState } from '../src/privacy/dpMeasures.js';
import { measuresOf } from '../src/projection/rollups.js';

const bounds: DpBounds = {
  events: 5,
  impressions: 2,
  viewable: 2,
  dwells: 2,
  scroll50: 2,
  clicks: 1,
  timeInViewMs: 10_000,
  engagedMs: 10_000,
  dwellMs: 10_000,
};
const DAY = 86_400_000;
const delta = (over: Partial<ViewDelta> = {}): ViewDelta =>
  ({
    impressions: 1,
    viewable: 1,
    timeInViewMs: 4_000,
    engagedMs: 3_000,
    clicks: 1,
    scrollMilestones: [],
    dwellMs: 0,
    dwells: 0,
    ...over,
  }) as ViewDelta;
const event = (userId: string | null, occurredAt: number) => ({ userId, occurredAt }) as AttentionEventDoc;
const dims = [
  ['ALL', '*'],
  ['ITEM', 'i1'],
] as [string, string][];

describe('clipping per user-day', () => {
  it('counts each measure of a user-day up to its bound, and each user once per dimension value', () => {
    const states = new Map<string, DpDayState>();
    const events = Array.from({ length: 4 }, (_, i) => ({
      event: event('u1', 10 * DAY + i),
      measures: measuresOf(delta()),
      dims,
    }));
    const out = clipContributions(events, states, bounds);
    expect(out.map((c) => c?.measures.impressions)).toEqual([1, 1, 0, 0]);
    expect(out.map((c) => c?.measures.clicks)).toEqual([1, 0, 0, 0]);
    expect(out.map((c) => c?.measures.timeInViewMs)).toEqual([4_000, 4_000, 2_000, 0]);
    expect(out.map((c) => c?.firstIn)).toEqual([['ALL|*', 'ITEM|i1'], [], [], []]);
    expect(states.get(`u1|${10 * DAY}`)).toMatchObject({ used: { impressions: 2, clicks: 1, events: 4 } });
  });

  it('starts a new unit each UTC day, goes on from a stored state, and ignores anonymous events', () => {
    const states = new Map<string, DpDayState>([
      [
        `u1|${10 * DAY}`,
        { _id: `u1|${10 * DAY}`, userId: 'u1', day: 10 * DAY, used: { impressions: 2 }, seen: ['ALL|*'] },
      ],
    ]);
    const out = clipContributions(
      [
        { event: event('u1', 10 * DAY + 5), measures: measuresOf(delta()), dims },
        { event: event('u1', 11 * DAY), measures: measuresOf(delta()), dims },
        { event: event(null, 11 * DAY), measures: measuresOf(delta()), dims },
      ],
      states,
      bounds,
    );
    expect(out[0]).toMatchObject({ measures: { impressions: 0, clicks: 1 }, firstIn: ['ITEM|i1'] });
    expect(out[1]).toMatchObject({ measures: { impressions: 1 }, firstIn: ['ALL|*', 'ITEM|i1'] });
    expect(out[2]).toBeNull();
  });
});

describe('grouping clipped rollups', () => {
  const doc = (value: string, hour: number, dpImpressions: number, dpUsers: number) =>
    ({
      _id: `ITEM|${value}|${hour}`,
      dim: 'ITEM',
      value,
      hour,
      dpImpressions,
      dpUsers,
    }) as AttentionRollupDoc;

  it('sums the clipped measures per bucket and counts users as the largest daily count', () => {
    const groups = groupClipped(
      [doc('a', 0, 3, 2), doc('a', 3_600_000, 4, 3), doc('a', DAY, 1, 4), doc('b', 0, 9, 1)],
      ['a', 'c'],
      ['impressions'],
      [0, DAY],
      (hour) => Math.floor(hour / DAY) * DAY,
    );
    expect(groups).toEqual([
      { key: 'a', users: 5, points: [{ impressions: 7 }, { impressions: 1 }] },
      { key: 'c', users: 0, points: [{}, {}] },
    ]);
  });

  it('clamps metrics from noised sums to their range', () => {
    expect(releasedMetric('CLICK_THROUGH_RATE', { clicks: 9, impressions: 3 }, bounds)).toBe(1);
    expect(releasedMetric('AVERAGE_ENGAGED_SECONDS', { engagedMs: 1e9, impressions: 1 }, bounds)).toBe(10);
    expect(releasedMetric('IMPRESSIONS', { impressions: 12 }, bounds)).toBe(12);
  });
});
