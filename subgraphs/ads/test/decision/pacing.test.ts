import { seededRandom } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import {
  curveShare,
  initialPacingState,
  type PacingOptions,
  pacingCurve,
  stepPacing,
  targetSpendBy,
} from '../../src/decision/index.js';
import { DAY, HOUR } from './fixtures.js';

const DAY_START = Date.UTC(2026, 2, 4);
const traffic = Array.from({ length: 24 }, (_, h) => 1 + 0.8 * Math.sin(((h - 8) / 24) * 2 * Math.PI));

describe('pacing curve', () => {
  it('follows forecast traffic (EVEN) or tilts it to the morning (FRONTLOADED)', () => {
    const even = pacingCurve(traffic, 'EVEN');
    const front = pacingCurve(traffic, 'FRONTLOADED');
    expect(even.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(front.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(even[14]! / even[2]!).toBeCloseTo(traffic[14]! / traffic[2]!, 10);
    expect(front[2]! / front[14]!).toBeGreaterThan(even[2]! / even[14]!);
    expect(curveShare(even, 0, DAY)).toBeCloseTo(1, 12);
    expect(curveShare(even, HOUR / 2, HOUR)).toBeCloseTo(even[0]! / 2, 12);
    expect(targetSpendBy(even, 1000, 2 * HOUR)).toBeCloseTo(1000 * (even[0]! + even[1]!), 9);
    expect(() => pacingCurve([1, 2], 'EVEN')).toThrow(/24/);
  });
});

/**
 * A toy market: each minute brings requests in proportion to traffic; a request the campaign takes part
 * in is won with probability `winRate × bid multiplier` and charged `price` (lumpy, like clicks). The
 * campaign could spend its budget three times over at full participation.
 */
function simulate(opts: PacingOptions, budget: number, price = 2_000, seed = 17) {
  const rng = seededRandom(seed);
  const curve = pacingCurve(traffic, 'EVEN');
  const requestsPerMinute = (h: number) => Math.round((traffic[h]! / 24) * 300);
  const winRate = (3 * budget) / price / (24 * 60 * 300 * (1 / 24));
  let state = initialPacingState(DAY_START, DAY_START);
  let spent = 0;
  const hourly = new Array(24).fill(0);
  for (let m = 0; m < 24 * 60; m++) {
    const h = Math.floor(m / 60);
    for (let r = 0; r < requestsPerMinute(h); r++) {
      if (budget - spent < price) break;
      if (rng.next() >= state.passRate) continue;
      if (rng.next() < winRate * state.bidMultiplier) {
        spent += price;
        hourly[h] += price;
      }
    }
    state = stepPacing(
      state,
      {
        at: DAY_START + (m + 1) * 60_000,
        dayStart: DAY_START,
        spentTodayMicros: spent,
        dailyBudgetMicros: budget,
        mode: 'EVEN',
        curve,
      },
      opts,
    );
  }
  const target = curve.map((w) => w * budget);
  const rmse = Math.sqrt(hourly.reduce((a, s, h) => a + (s - target[h]!) ** 2, 0) / 24);
  return { spent, rmsePct: (100 * rmse) / (budget / 24), hourly };
}

describe('pacing controller', () => {
  it("plans each clock hour and hands the plan to the decision's spend gate", () => {
    const curve = pacingCurve(traffic, 'EVEN');
    const budget = 24_000_000;
    const at = DAY_START + 10 * HOUR + HOUR / 2;
    const obs = {
      at,
      dayStart: DAY_START,
      spentTodayMicros: 4_000_000,
      dailyBudgetMicros: budget,
      mode: 'EVEN' as const,
      curve,
    };
    const s = stepPacing(initialPacingState(at - 60_000, DAY_START), obs);
    // The rest of the budget over the rest of the day's curve, this half hour's share of it.
    const share = curveShare(curve, 10.5 * HOUR, 11 * HOUR) / curveShare(curve, 10.5 * HOUR, DAY);
    expect(s.hourPlan).toEqual({
      fromMs: at,
      toMs: DAY_START + 11 * HOUR,
      startSpentMicros: 4_000_000,
      micros: expect.closeTo(20_000_000 * share, 3),
    });
    // Later steps in the same hour keep the plan; the next hour makes a new one.
    const next = stepPacing(s, { ...obs, at: at + 60_000, spentTodayMicros: 4_100_000 });
    expect(next.hourPlan).toEqual(s.hourPlan);
    const newHour = stepPacing(next, { ...obs, at: DAY_START + 11 * HOUR, spentTodayMicros: 4_500_000 });
    expect(newHour.hourPlan).toMatchObject({
      fromMs: DAY_START + 11 * HOUR,
      toMs: DAY_START + 12 * HOUR,
      startSpentMicros: 4_500_000,
    });
  });

  it('throttling converges to the target curve on a toy stream', () => {
    const budget = 20_000_000;
    const r = simulate({ strategy: 'THROTTLE' }, budget);
    expect(r.spent).toBeGreaterThanOrEqual(0.98 * budget);
    expect(r.spent).toBeLessThanOrEqual(budget);
    expect(r.rmsePct).toBeLessThan(10);
  });

  it('bid shading converges too', () => {
    const budget = 20_000_000;
    const r = simulate({ strategy: 'SHADE', minBidMultiplier: 0.05 }, budget);
    expect(r.spent).toBeGreaterThanOrEqual(0.98 * budget);
    expect(r.rmsePct).toBeLessThan(10);
  });

  it('closes a gap within the hour, so lumpy spend follows the hourly curve closer than hour-level noise', () => {
    // About 30 charges an hour: counting noise alone is about 18 % of an hour's spend.
    const budget = 20_000_000;
    const price = budget / (24 * 30);
    let tracked = 0;
    let loose = 0;
    for (const seed of [1, 2, 3, 4]) {
      const a = simulate({}, budget, price, seed);
      const b = simulate({ catchUpMinutes: 1e9 }, budget, price, seed);
      expect(a.spent).toBeGreaterThanOrEqual(0.98 * budget);
      expect(a.spent).toBeLessThanOrEqual(budget);
      tracked += a.rmsePct / 4;
      loose += b.rmsePct / 4;
    }
    expect(tracked).toBeLessThan(0.75 * loose);
    expect(tracked).toBeLessThan(12);
  });

  it('plans each clock hour from the remaining budget and returns to the plan at once after a dip', () => {
    const curve = pacingCurve(traffic, 'EVEN');
    const budget = 24_000_000;
    const obs = (m: number, spent: number) => ({
      at: DAY_START + m * 60_000,
      dayStart: DAY_START,
      spentTodayMicros: spent,
      dailyBudgetMicros: budget,
      mode: 'EVEN' as const,
      curve,
    });
    // Warm: spending exactly the plan at a pass rate of 0.25 for two hours.
    let s = initialPacingState(DAY_START, DAY_START, 0.25);
    let spent = 0;
    for (let m = 1; m <= 120; m++) {
      spent += 4 * 0.25 * budget * curveShare(curve, (m - 1) * 60_000, m * 60_000);
      s = stepPacing(s, obs(m, spent));
    }
    expect(s.planHour).toBe(2);
    expect(s.planMicros).toBeCloseTo(((budget - spent) * curve[2]!) / curveShare(curve, 2 * HOUR, DAY), -3);
    expect(s.passRate).toBeGreaterThan(0.2);
    expect(s.passRate).toBeLessThan(0.3);
    // Had it dipped to the floor (ahead of plan), back on plan it resumes at the plan's pass rate at once
    // instead of doubling its way up from the floor.
    const dipped = { ...s, passRate: 0.002 };
    const next = stepPacing(
      dipped,
      obs(121, spent + 4 * 0.002 * budget * curveShare(curve, 120 * 60_000, 121 * 60_000)),
    );
    expect(next.passRate).toBeGreaterThan(0.2);
    // Ahead of the hour's plan by a lot, it stops (the floor) until the plan catches up.
    const ahead = stepPacing(s, obs(121, spent + budget * curve[2]! * 0.5));
    expect(ahead.passRate).toBe(0.002);
  });

  it('spends as fast as it can when the budget cannot be reached, and ASAP is never paced', () => {
    const curve = pacingCurve(traffic, 'EVEN');
    let s = initialPacingState(DAY_START, DAY_START);
    for (let m = 1; m <= 30; m++) {
      s = stepPacing(s, {
        at: DAY_START + m * 60_000,
        dayStart: DAY_START,
        spentTodayMicros: m,
        dailyBudgetMicros: 1e12,
        mode: 'EVEN',
        curve,
      });
    }
    expect(s.passRate).toBe(1);
    const asap = stepPacing(s, {
      at: DAY_START + HOUR,
      dayStart: DAY_START,
      spentTodayMicros: 1e12,
      dailyBudgetMicros: 1,
      mode: 'ASAP',
      curve,
    });
    expect([asap.passRate, asap.bidMultiplier]).toEqual([1, 1]);
  });
});
