import { describe, expect, it } from 'vitest';
import {
  applyViewEvent,
  attentionStats,
  measureView,
  newViewState,
  type ViewEvent,
  viewabilityThreshold,
} from '../src/metrics/attentionMetrics.js';

const t0 = Date.UTC(2026, 0, 1);
const imp = (extra: Partial<ViewEvent> = {}): ViewEvent => ({ type: 'IMPRESSION', occurredAt: t0, ...extra });
const seg = (visibleFraction: number, durationMs: number, at = t0 + 10): ViewEvent => ({
  type: 'VIEW_SEGMENT',
  occurredAt: at,
  visibleFraction,
  durationMs,
});

describe('MRC viewability', () => {
  it.each([
    ['display at exactly 50% for exactly 1 s', [imp(), seg(0.5, 1000)], 1],
    ['display just under 50%', [imp(), seg(0.4999, 5000)], 0],
    ['display at 50% for 999 ms', [imp(), seg(0.5, 999)], 0],
    [
      'display: two short segments do not add up (continuous time)',
      [imp(), seg(0.9, 600), seg(0.9, 600, t0 + 2000)],
      0,
    ],
  ] as const)('%s', (_, events, viewable) => {
    expect(measureView(events).viewable).toBe(viewable);
  });

  it('large display creatives need 30% (242,500 pixels and more)', () => {
    const large = { width: 970, height: 250 }; // 242,500 px
    const almost = { width: 969, height: 250 };
    expect(viewabilityThreshold('DISPLAY', large).fraction).toBe(0.3);
    expect(viewabilityThreshold('DISPLAY', almost).fraction).toBe(0.5);
    expect(measureView([imp({ creativeSize: large }), seg(0.3, 1000)]).viewable).toBe(1);
    expect(measureView([imp({ creativeSize: large }), seg(0.2999, 1000)]).viewable).toBe(0);
    expect(measureView([imp({ creativeSize: almost }), seg(0.3, 1000)]).viewable).toBe(0);
  });

  it('video needs 50% for 2 continuous seconds', () => {
    expect(measureView([imp({ media: 'VIDEO' }), seg(0.5, 2000)]).viewable).toBe(1);
    expect(measureView([imp({ media: 'VIDEO' }), seg(0.5, 1999)]).viewable).toBe(0);
    expect(measureView([imp({ media: 'VIDEO' }), seg(0.49, 10_000)]).viewable).toBe(0);
  });

  it('counts a view viewable once and one impression per view', () => {
    const m = measureView([imp(), imp({ occurredAt: t0 + 1 }), seg(1, 2000), seg(1, 2000, t0 + 5000)]);
    expect(m.impressions).toBe(1);
    expect(m.viewable).toBe(1);
  });
});

describe('time in view', () => {
  it('adds qualifying segments and caps at 180 s per view', () => {
    expect(measureView([imp(), seg(0.6, 1500), seg(0.2, 4000, t0 + 3000)]).timeInViewMs).toBe(1500);
    expect(measureView([imp(), seg(1, 179_000), seg(1, 2000, t0 + 200_000)]).timeInViewMs).toBe(180_000);
    const state = newViewState();
    applyViewEvent(state, seg(1, 180_000));
    expect(applyViewEvent(state, seg(1, 1000, t0 + 190_000)).timeInViewMs).toBe(0);
  });
});

describe('engaged time', () => {
  const act = (ms: number): ViewEvent => ({ type: 'ACTIVITY', occurredAt: t0 + ms });
  it('credits 5 s per activity, overlaps once', () => {
    expect(measureView([imp(), act(0)]).engagedMs).toBe(5000);
    expect(measureView([imp(), act(0), act(2000)]).engagedMs).toBe(7000);
    expect(measureView([imp(), act(0), act(5000)]).engagedMs).toBe(10_000);
    expect(measureView([imp(), act(0), act(60_000)]).engagedMs).toBe(10_000);
  });

  it('only while the tab is visible; a hide takes back the credit beyond it', () => {
    const hide = (ms: number): ViewEvent => ({
      type: 'VISIBILITY_CHANGE',
      occurredAt: t0 + ms,
      visible: false,
    });
    const show = (ms: number): ViewEvent => ({
      type: 'VISIBILITY_CHANGE',
      occurredAt: t0 + ms,
      visible: true,
    });
    expect(measureView([imp(), act(0), hide(2000)]).engagedMs).toBe(2000);
    expect(measureView([imp(), hide(1), act(1000), act(3000)]).engagedMs).toBe(0);
    expect(measureView([imp(), hide(1), act(1000), show(2000), act(3000)]).engagedMs).toBe(5000);
  });

  it('an exit also ends the credit', () => {
    expect(measureView([imp(), act(0), { type: 'PAGE_EXIT', occurredAt: t0 + 3000 }]).engagedMs).toBe(3000);
  });
});

describe('scroll depth and dwell', () => {
  const scroll = (depth: number, ms: number): ViewEvent => ({
    type: 'SCROLL_DEPTH',
    occurredAt: t0 + ms,
    scrollDepth: depth,
  });
  it('counts each milestone once', () => {
    expect(measureView([imp(), scroll(0.24, 1)]).scrollMilestones).toEqual([]);
    expect(measureView([imp(), scroll(0.25, 1)]).scrollMilestones).toEqual([25]);
    expect(measureView([imp(), scroll(0.8, 1), scroll(0.5, 2), scroll(1, 3)]).scrollMilestones).toEqual([
      25, 50, 75, 100,
    ]);
  });

  it('dwell is exit minus entry, once', () => {
    const exit = (ms: number): ViewEvent => ({ type: 'PAGE_EXIT', occurredAt: t0 + ms });
    const m = measureView([imp(), exit(42_000), exit(50_000)]);
    expect(m.dwellMs).toBe(42_000);
    expect(m.dwells).toBe(1);
    expect(measureView([exit(5000)]).dwells).toBe(0);
  });
});

describe('attentionStats', () => {
  it('derives rates per impression', () => {
    const s = attentionStats({
      impressions: 4,
      viewable: 2,
      timeInViewMs: 8000,
      engagedMs: 30_000,
      clicks: 1,
    });
    expect(s.viewabilityRate).toBe(0.5);
    expect(s.averageTimeInViewSeconds).toBe(2);
    expect(s.averageEngagedSeconds).toBe(7.5);
    expect(s.clickThroughRate).toBe(0.25);
    expect(s.attentionScore).toBeCloseTo(50);
    expect(s.attentionPerMille).toBe(2000);
    expect(
      attentionStats({ impressions: 0, viewable: 0, timeInViewMs: 0, engagedMs: 0, clicks: 0 })
        .attentionScore,
    ).toBe(0);
  });
});
