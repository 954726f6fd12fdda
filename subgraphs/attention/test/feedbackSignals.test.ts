import { describe, expect, it } from 'vitest';
import {
  feedbackView,
  foldFeedback,
  MAX_APPLIED_FEEDBACK,
  MAX_DWELL_MS,
  NO_SIGNALS,
} from '../src/feedback/feedbackSignals.js';

const empty = { ...NO_SIGNALS, applied: [] as string[], version: 0 };
const signal = (
  feedbackId: string,
  kind: 'CLICK' | 'DWELL' | 'LIKE' | 'RATING',
  dwellMs: number | null = null,
  occurredAt = 1_000,
) => ({
  feedbackId,
  kind,
  dwellMs,
  occurredAt,
});

describe('folding feedback into a profile', () => {
  it('counts clicks and dwell, once per feedback id, and nothing else', () => {
    const a = foldFeedback(empty, signal('f1', 'CLICK'))!;
    expect(a).toMatchObject({ clicks: 1, dwells: 0, dwellMs: 0, lastAt: 1_000, applied: ['f1'], version: 1 });
    expect(foldFeedback(a, signal('f1', 'CLICK'))).toBeNull();
    const b = foldFeedback(a, signal('f2', 'DWELL', 12_500, 900))!;
    expect(b).toMatchObject({ clicks: 1, dwells: 1, dwellMs: 12_500, lastAt: 1_000, version: 2 });
    expect(foldFeedback(b, signal('f3', 'LIKE'))).toBeNull();
    expect(foldFeedback(b, signal('f4', 'RATING'))).toBeNull();
    expect(foldFeedback(b, signal('f5', 'DWELL', 0))).toBeNull();
    expect(foldFeedback(b, signal('f6', 'DWELL', null))).toBeNull();
  });

  it('caps one dwell and bounds the ids kept', () => {
    expect(foldFeedback(empty, signal('long', 'DWELL', 10 * MAX_DWELL_MS))!.dwellMs).toBe(MAX_DWELL_MS);
    let doc = empty;
    for (let i = 0; i < MAX_APPLIED_FEEDBACK + 10; i++) doc = foldFeedback(doc, signal(`c${i}`, 'CLICK'))!;
    expect(doc.clicks).toBe(MAX_APPLIED_FEEDBACK + 10);
    expect(doc.applied).toHaveLength(MAX_APPLIED_FEEDBACK);
    expect(doc.applied.at(-1)).toBe(`c${MAX_APPLIED_FEEDBACK + 9}`);
  });

  it('shows seconds, an average, and nulls before any signal', () => {
    expect(feedbackView(null)).toEqual({
      clicks: 0,
      dwells: 0,
      dwellSeconds: 0,
      averageDwellSeconds: null,
      lastAt: null,
    });
    expect(feedbackView({ clicks: 2, dwells: 2, dwellMs: 30_000, lastAt: 5 })).toEqual({
      clicks: 2,
      dwells: 2,
      dwellSeconds: 30,
      averageDwellSeconds: 15,
      lastAt: 5,
    });
  });
});
