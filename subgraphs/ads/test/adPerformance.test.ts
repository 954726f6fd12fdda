import { describe, expect, it } from 'vitest';
import { adPerformance, PRIOR_STRENGTH } from '../src/ctr/adPerformance.js';

const stats = (impressions: number, clicks: number, complaints = 0) => ({
  impressions,
  clicks,
  complaints,
  engagedMs: 0,
});
const cpc = { bidType: 'CPC' as const, bidMicros: 500_000 };

describe('Ad.performance', () => {
  it('starts at the prior and moves to the observed CTR as impressions accumulate', () => {
    const fresh = adPerformance(stats(0, 0), cpc, 0.01);
    expect(fresh).toMatchObject({
      observedCtr: null,
      estimatedCtr: 0.01,
      complaintRate: null,
      complaintPenalty: 1,
    });
    expect(fresh.rankingEcpmMicros).toBe(5_000_000);
    const some = adPerformance(stats(200, 20), cpc, 0.01);
    // (0.01 × 200 + 20) / (200 + 200): half way between prior and observation.
    expect(some.estimatedCtr).toBeCloseTo((0.01 * PRIOR_STRENGTH + 20) / (PRIOR_STRENGTH + 200));
    expect(some.observedCtr).toBe(0.1);
    const many = adPerformance(stats(100_000, 10_000), cpc, 0.01);
    expect(many.estimatedCtr).toBeGreaterThan(some.estimatedCtr);
    expect(many.estimatedCtr).toBeCloseTo(0.1, 2);
    expect(many.rankingEcpmMicros).toBeGreaterThan(some.rankingEcpmMicros);
  });

  it('lowers the eCPM by the complaint penalty, never below its floor', () => {
    const clean = adPerformance(stats(1_000, 10), cpc, 0.01);
    const complained = adPerformance(stats(1_000, 10, 10), cpc, 0.01);
    expect(complained.complaintRate).toBe(0.01);
    expect(complained.complaintPenalty).toBeCloseTo(Math.exp(-0.5));
    expect(complained.rankingEcpmMicros).toBe(
      Math.round(clean.rankingEcpmMicros * complained.complaintPenalty),
    );
    expect(adPerformance(stats(10, 0, 10), cpc, 0.01).complaintPenalty).toBe(0.05);
    const cpm = adPerformance(stats(100, 0, 1), { bidType: 'CPM', bidMicros: 2_000_000 }, 0.01);
    expect(cpm.rankingEcpmMicros).toBe(Math.round(2_000_000 * Math.exp(-0.5)));
  });
});
