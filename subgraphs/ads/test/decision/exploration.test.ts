import { seededRandom } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { type Decision, type DecisionFill, decide } from '../../src/decision/index.js';
import { campaign, inputs, request, state } from './fixtures.js';

function filled(d: Decision): DecisionFill {
  if (!d.filled) throw new Error(`no fill: ${d.reason}`);
  return d;
}

describe('decide: exploration for off-policy evaluation', () => {
  const cpm = [
    campaign({ id: 'hi', bidMicros: 3_000_000 }),
    campaign({ id: 'mid', bidMicros: 2_000_000 }),
    campaign({ id: 'lo', bidMicros: 1_000_000 }),
  ];

  it('with epsilon 0 the choice is greedy and its propensity 1', () => {
    const d = filled(decide(request(), inputs(cpm), seededRandom(1), { maxLoggedCandidates: 20 }));
    expect(d.campaignId).toBe('hi');
    expect(d.propensity).toBe(1);
    expect(d.explored).toBe(false);
    // Every candidate is logged, best mean score first, with its bid and eCPM.
    expect(d.logged.map((c) => [c.campaignId, c.ecpmMicros, c.eligible])).toEqual([
      ['hi', 3_000_000, true],
      ['mid', 2_000_000, true],
      ['lo', 1_000_000, true],
    ]);
  });

  it('mixes a uniform pick with the auction: exact propensities that match the frequencies', () => {
    const eps = 0.3;
    const rng = seededRandom(5);
    const n = 6000;
    const wins = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const d = filled(decide(request(), inputs(cpm), rng, { explorationEpsilon: eps }));
      wins.set(d.campaignId, (wins.get(d.campaignId) ?? 0) + 1);
      const expected = d.campaignId === 'hi' ? 1 - eps + eps / 3 : eps / 3;
      expect(d.propensity).toBeCloseTo(expected, 12);
      expect(d.explorationSet).toBe(3);
      // Prices keep the auction's rules: never above the bid; an outranked explored ad pays what beats
      // those it outranks (second price, 'lo' pays the floor of 0 → 1 micro per mille).
      if (d.campaignId === 'mid') expect(d.clearingCpmMicros).toBe(1_000_001);
      if (d.campaignId === 'lo') expect(d.clearingCpmMicros).toBe(1);
      if (d.campaignId === 'hi') expect(d.clearingCpmMicros).toBe(2_000_001);
    }
    expect(wins.get('hi')! / n).toBeCloseTo(1 - eps + eps / 3, 1);
    expect(Math.abs(wins.get('lo')! / n - eps / 3)).toBeLessThan(0.015);
  });

  it('never explores an ad below the floor or a campaign without budget', () => {
    const s = state();
    s.spends.set('mid', { spentTodayMicros: 100_000_000, spentTotalMicros: 100_000_000, reservedMicros: 0 });
    const req = request({
      placement: { id: 'pl-1', width: 300, height: 250, floorMicros: 1_500_000, auctionType: 'SECOND_PRICE' },
    });
    const rng = seededRandom(9);
    for (let i = 0; i < 300; i++) {
      const d = filled(
        decide(req, inputs(cpm, s), rng, { explorationEpsilon: 0.5, maxLoggedCandidates: 20 }),
      );
      expect(d.campaignId).toBe('hi');
      expect(d.propensity).toBe(1);
      expect(d.logged.map((c) => [c.campaignId, c.eligible])).toEqual([
        ['hi', true],
        ['lo', false],
      ]);
    }
  });

  it('with Thompson draws and throttling the mean propensity of each ad matches how often it wins', () => {
    const s = state();
    const a = campaign({ id: 'a', bidType: 'CPC', bidMicros: 100_000 });
    const b = campaign({ id: 'b', bidType: 'CPC', bidMicros: 120_000 });
    const c = campaign({ id: 'c', bidMicros: 1_000_000, pacing: 'EVEN' });
    const d0 = campaign({ id: 'd', bidMicros: 200_000 });
    s.stats.set('ad-a', { impressions: 2_000, clicks: 24 });
    s.stats.set('ad-b', { impressions: 500, clicks: 4 });
    s.pacings.set('c', { passRate: 0.5, bidMultiplier: 1 });
    const world = inputs([a, b, c, d0], s);
    const rng = seededRandom(21);
    const n = 3000;
    const wins = new Map<string, number>();
    const propensity = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const d = filled(decide(request(), world, rng, { propensityDraws: 64, explorationEpsilon: 0.2 }));
      expect(d.propensity).toBeGreaterThan(0);
      expect(d.propensity).toBeLessThanOrEqual(1);
      wins.set(d.campaignId, (wins.get(d.campaignId) ?? 0) + 1);
      propensity.set(d.campaignId, (propensity.get(d.campaignId) ?? 0) + d.propensity);
    }
    // 'd' never wins the auction (its eCPM is the lowest): only exploration shows it.
    expect(wins.get('d')).toBeGreaterThan(0);
    for (const [id, w] of wins) {
      // Calibration: E[propensity | id chosen] = P(id)² / P(id) ... = P(id) when P is the same for every
      // request, as here: the mean logged propensity of id's wins estimates its win frequency.
      expect(Math.abs(propensity.get(id)! / w - w / n)).toBeLessThan(0.03);
    }
  });
});
