import { seededRandom } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { type CtrFeatures, ctrPosterior, decide, sampleBeta } from '../../src/decision/index.js';
import { campaign, inputs, request, state } from './fixtures.js';

describe('pCTR: Beta-Binomial blend and Thompson sampling', () => {
  it('starts at the model, moves to the observed rate as impressions grow', () => {
    expect(ctrPosterior(0.02, undefined, 200).mean).toBeCloseTo(0.02, 10);
    const some = ctrPosterior(0.02, { impressions: 200, clicks: 10 }, 200);
    expect(some.mean).toBeCloseTo((0.02 * 200 + 10) / 400, 10);
    const many = ctrPosterior(0.02, { impressions: 1_000_000, clicks: 50_000 }, 200);
    expect(many.mean).toBeCloseTo(0.05, 3);
    expect(many.sd).toBeLessThan(some.sd);
    // Nonsense inputs stay inside (0, 1).
    const odd = ctrPosterior(Number.NaN, { impressions: 5, clicks: 9 }, 10);
    expect(odd.mean).toBeGreaterThan(0);
    expect(odd.mean).toBeLessThanOrEqual(1);
  });

  it('draws Beta variates with the right mean', () => {
    const rng = seededRandom(3);
    for (const [a, b] of [
      [2, 198],
      [0.5, 0.5],
      [30, 10],
    ] as const) {
      let sum = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) sum += sampleBeta(rng, a, b);
      expect(sum / n).toBeCloseTo(a / (a + b), 2);
    }
  });

  it('favours an ad with many clicks and still explores a new one', () => {
    const s = state();
    const proven = campaign({ id: 'proven', bidType: 'CPC', bidMicros: 200_000 });
    const fresh = campaign({ id: 'fresh', bidType: 'CPC', bidMicros: 200_000 });
    // Proven: 3 % over 100,000 impressions; fresh: nothing yet, model prior 1 %.
    s.stats.set('ad-proven', { impressions: 100_000, clicks: 3_000 });
    const world = inputs([proven, fresh], s);
    const rng = seededRandom(11);
    const wins = { proven: 0, fresh: 0 };
    for (let i = 0; i < 2_000; i++) {
      const d = decide(request(), world, rng, { propensityDraws: 0 });
      if (d.filled) wins[d.campaignId as 'proven' | 'fresh']++;
    }
    expect(wins.proven).toBeGreaterThan(1_700);
    expect(wins.fresh).toBeGreaterThan(10);
  });

  it('asks the pCTR model for CPC candidates, and for a CPM candidate only when it wins', () => {
    const calls: string[] = [];
    const predictCtr = (f: CtrFeatures) => {
      calls.push(`${f.adId}@${f.placementId}/${f.country}/${f.hourOfWeek}`);
      return f.bidType === 'CPC' ? 0.02 : 0.004;
    };
    const world = inputs([
      campaign({ id: 'cpc', bidType: 'CPC', bidMicros: 10_000 }),
      campaign({ id: 'cpm-hi', bidMicros: 3_000_000 }),
      campaign({ id: 'cpm-lo', bidMicros: 1_000_000 }),
    ]);
    const d = decide(request(), world, seededRandom(1), { predictCtr });
    expect(d.filled && d.campaignId).toBe('cpm-hi');
    expect(d.filled && d.pCtr).toBeCloseTo(0.004, 6);
    // NOON is Wednesday 12:00 UTC: week hour 60.
    expect(calls.sort()).toEqual(['ad-cpc@pl-1/DE/60', 'ad-cpm-hi@pl-1/DE/60']);
  });
});
