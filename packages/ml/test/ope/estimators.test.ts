import { describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/ope/bootstrap.js';
import {
  doublyRobust,
  effectiveSampleSize,
  evaluatePolicy,
  ips,
  normalQuantile,
  type OpeUnit,
  snips,
} from '../../src/ope/estimators.js';

// Four logged decisions, hand-computed below.
//   target  propensity  w     reward  dmTarget dmLogged
//   1       0.5         2     1       0.3      0.4
//   0       0.5         0     1       0.2      0.2
//   1       0.25        4     0       0.1      0.2
//   0.5     1           0.5   1       0.5      0.5
const units: OpeUnit[] = [
  { slots: [{ target: 1, propensity: 0.5, reward: 1, dmTarget: 0.3, dmLogged: 0.4 }] },
  { slots: [{ target: 0, propensity: 0.5, reward: 1, dmTarget: 0.2, dmLogged: 0.2 }] },
  { slots: [{ target: 1, propensity: 0.25, reward: 0, dmTarget: 0.1, dmLogged: 0.2 }] },
  { slots: [{ target: 0.5, propensity: 1, reward: 1, dmTarget: 0.5, dmLogged: 0.5 }] },
];

describe('off-policy estimators against hand-computed values', () => {
  it('IPS: mean of w·r, with the sample standard error', () => {
    // w·r = 2, 0, 0, 0.5 -> mean 0.625; sd² = ((1.375)² + 2·(0.625)² + (0.125)²) / 3 = 0.8958...
    const e = ips(units);
    expect(e.value).toBeCloseTo(0.625, 12);
    const sd = Math.sqrt((1.375 ** 2 + 2 * 0.625 ** 2 + 0.125 ** 2) / 3);
    expect(e.se).toBeCloseTo(sd / 2, 12);
    expect(e.lower).toBeCloseTo(0.625 - 1.959964 * (sd / 2), 5);
    expect(e.n).toBe(4);
  });

  it('SNIPS: Σ w·r / Σ w, delta-method error', () => {
    // Σ w r = 2.5, Σ w = 6.5
    const e = snips(units);
    expect(e.value).toBeCloseTo(2.5 / 6.5, 12);
    const v = 2.5 / 6.5;
    const res = [2 - v * 2, 0 - v * 0, 0 - v * 4, 0.5 - v * 0.5];
    const se = Math.sqrt(res.reduce((s, x) => s + x * x, 0) / 12) / (6.5 / 4);
    expect(e.se).toBeCloseTo(se, 12);
  });

  it('DR: q̂(π) + w (r − q̂(a))', () => {
    // 0.3 + 2·0.6 = 1.5; 0.2 + 0 = 0.2; 0.1 + 4·(−0.2) = −0.7; 0.5 + 0.5·0.5 = 0.75 -> mean 0.4375
    expect(doublyRobust(units).value).toBeCloseTo(0.4375, 12);
  });

  it('clipping caps the weights, the effective sample size is (Σw)²/Σw²', () => {
    // capped at 2: w = 2, 0, 2, 0.5 -> IPS (2 + 0.5) / 4
    expect(ips(units, { maxWeight: 2 }).value).toBeCloseTo(0.625, 12);
    expect(snips(units, { maxWeight: 2 }).value).toBeCloseTo(2.5 / 4.5, 12);
    expect(effectiveSampleSize(units)).toBeCloseTo(6.5 ** 2 / (4 + 16 + 0.25), 12);
  });

  it('a list is one unit: slots count in the value, units in the error', () => {
    const lists: OpeUnit[] = [
      {
        slots: [
          { target: 1, propensity: 0.5, reward: 1 },
          { target: 1, propensity: 1, reward: 0 },
        ],
      },
      {
        slots: [
          { target: 0, propensity: 0.5, reward: 1 },
          { target: 1, propensity: 1, reward: 1 },
        ],
      },
    ];
    // Σ w r = 2 + 0 + 0 + 1 = 3 over 4 slots; per unit A = 2, 1 with D = 2, 2 -> V = 0.75
    const e = ips(lists);
    expect(e.value).toBeCloseTo(0.75, 12);
    const se = Math.sqrt(((2 - 1.5) ** 2 + (1 - 1.5) ** 2) / 2) / 2;
    expect(e.se).toBeCloseTo(se, 12);
  });

  it('the logging policy evaluated on itself is the observed value, weights all 1', () => {
    const self = units.map((u) => ({ slots: u.slots.map((s) => ({ ...s, target: s.propensity })) }));
    const r = evaluatePolicy(self);
    expect(r.estimates.ips.value).toBeCloseTo(r.observed.value, 12);
    expect(r.estimates.snips.value).toBeCloseTo(r.observed.value, 12);
    expect(r.meanWeight).toBe(1);
    expect(r.ess).toBeCloseTo(4, 12);
  });

  it('rejects a zero propensity, gives the normal quantiles', () => {
    expect(() => ips([{ slots: [{ target: 1, propensity: 0, reward: 1 }] }])).toThrow(/propensity/);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829, 5);
  });

  it('the bootstrap interval brackets the estimate and is reproducible by seed', () => {
    const many = Array.from({ length: 50 }, (_, i) => units[i % 4]!);
    const a = bootstrap(many, (u) => ips(u), { seed: 3, reps: 100 });
    const b = bootstrap(many, (u) => ips(u), { seed: 3, reps: 100 });
    expect(a).toEqual(b);
    expect(a.lower).toBeLessThan(a.value);
    expect(a.upper).toBeGreaterThan(a.value);
    // Close to the delta-method error on the same data.
    expect(a.se / ips(many).se).toBeGreaterThan(0.6);
    expect(a.se / ips(many).se).toBeLessThan(1.4);
  });
});
