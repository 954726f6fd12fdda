import { describe, expect, it } from 'vitest';
import { complaintRate, flagTransition, isOverThreshold } from '../src/rules/flagRule.js';

const s = { threshold: 0.02, minImpressions: 200 };

describe('the complaint flag rule', () => {
  it('judges no ad before its minimum impressions, however many complaints', () => {
    expect(isOverThreshold({ complaints: 150, impressions: 199 }, s)).toBe(false);
    expect(flagTransition({ complaints: 150, impressions: 199 }, false, s)).toBeNull();
  });

  it('flags once the rate passes the threshold (strictly) with enough impressions', () => {
    expect(flagTransition({ complaints: 4, impressions: 200 }, false, s)).toBeNull(); // 0.02: not past it
    expect(flagTransition({ complaints: 5, impressions: 200 }, false, s)).toBe('FLAG');
  });

  it('flags a crossing once: an ad already flagged stays so while over the line', () => {
    expect(flagTransition({ complaints: 9, impressions: 300 }, true, s)).toBeNull();
  });

  it('re-arms when the rate falls back, so a new crossing flags again', () => {
    expect(flagTransition({ complaints: 5, impressions: 1000 }, true, s)).toBe('CLEAR');
    expect(flagTransition({ complaints: 25, impressions: 1000 }, false, s)).toBe('FLAG');
  });

  it('has no rate without impressions', () => {
    expect(complaintRate({ complaints: 3, impressions: 0 })).toBeNull();
    expect(complaintRate({ complaints: 3, impressions: 300 })).toBeCloseTo(0.01);
  });
});
