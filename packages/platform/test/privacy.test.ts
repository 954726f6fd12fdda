import { describe, expect, it } from 'vitest';
import {
  clamp,
  clipContribution,
  discreteLaplace,
  discreteLaplaceVariance,
  laplaceAlpha,
  noisedRatio,
  release,
  secureUniform,
  seededNoise,
} from '../src/privacy/index.js';

function moments(draws: number[]) {
  const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
  const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / (draws.length - 1);
  return { mean, variance };
}

describe('discrete Laplace', () => {
  it('draws uniforms in (0, 1]', () => {
    for (let i = 0; i < 10_000; i++) {
      const u = secureUniform();
      expect(u > 0 && u <= 1).toBe(true);
    }
  });

  // Sample variance of n draws has a relative standard error of about sqrt((kurtosis − 1)/n) ≈ 0.5 % at
  // n = 200,000 (kurtosis ≈ 6): 4 % is 8 standard errors, while a scale off by 2 moves it by 4x.
  for (const [epsilon, sensitivity] of [
    [1, 1],
    [0.5, 5],
  ] as const) {
    it(`has mean 0 and variance 2α/(1−α)² at ε=${epsilon}, Δ=${sensitivity}`, () => {
      const n = 200_000;
      const draws = Array.from({ length: n }, () => discreteLaplace(epsilon, sensitivity));
      expect(draws.every(Number.isInteger)).toBe(true);
      const { mean, variance } = moments(draws);
      const theory = discreteLaplaceVariance(epsilon, sensitivity);
      console.info(
        `discrete Laplace ε=${epsilon} Δ=${sensitivity}: n=${n} mean=${mean.toFixed(4)} variance=${variance.toFixed(3)} theory=${theory.toFixed(3)}`,
      );
      expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(theory / n));
      expect(Math.abs(variance / theory - 1)).toBeLessThan(0.04);
      // A scale of Δ/(2ε) or 2Δ/ε would be far outside.
      expect(Math.abs(discreteLaplaceVariance(2 * epsilon, sensitivity) / variance - 1)).toBeGreaterThan(0.5);
      expect(Math.abs(discreteLaplaceVariance(epsilon / 2, sensitivity) / variance - 1)).toBeGreaterThan(0.5);
      // P(0) = (1−α)/(1+α).
      const alpha = laplaceAlpha(epsilon, sensitivity);
      const zeros = draws.filter((x) => x === 0).length / n;
      expect(Math.abs(zeros - (1 - alpha) / (1 + alpha))).toBeLessThan(0.01);
    });
  }

  it('draws the same noise for the same key and seed (a retried request), other noise otherwise', () => {
    const draw = (key: string, seed: string) => {
      const noise = seededNoise(key, seed);
      return Array.from({ length: 50 }, () => noise(0.5, 3));
    };
    expect(draw('k', 'p|r1|f')).toEqual(draw('k', 'p|r1|f'));
    expect(draw('k', 'p|r1|f')).not.toEqual(draw('k', 'p|r2|f'));
    expect(draw('k', 'p|r1|f')).not.toEqual(draw('other', 'p|r1|f'));
    const many = seededNoise('k', 'stats');
    const draws = Array.from({ length: 100_000 }, () => many(1, 1));
    const { mean, variance } = moments(draws);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance / discreteLaplaceVariance(1, 1) - 1)).toBeLessThan(0.05);
  });

  it('refuses a non-positive ε or sensitivity', () => {
    expect(() => discreteLaplace(0, 1)).toThrow(RangeError);
    expect(() => discreteLaplace(1, 0)).toThrow(RangeError);
  });
});

describe('clipping', () => {
  it('counts a contribution only up to the bound of its unit', () => {
    expect(clipContribution(0, 3, 5)).toBe(3);
    expect(clipContribution(3, 3, 5)).toBe(2);
    expect(clipContribution(5, 3, 5)).toBe(0);
    expect(clipContribution(9, 3, 5)).toBe(0);
    expect(clipContribution(0, -2, 5)).toBe(0);
    let consumed = 0;
    let counted = 0;
    for (let i = 0; i < 100; i++) {
      const c = clipContribution(consumed, 7, 50);
      consumed += c;
      counted += c;
    }
    expect(counted).toBe(50);
  });

  it('clamps', () => {
    expect(clamp(2, 0, 1)).toBe(1);
    expect(clamp(-1, 0, 1)).toBe(0);
    expect(clamp(Number.NaN, 0, 1)).toBe(0);
  });
});

describe('release', () => {
  const policy = { epsilon: 1, bounds: { clicks: 2, impressions: 10 }, minUsers: 5 };

  it('suppresses groups with fewer than k users without drawing noise for them', () => {
    let draws = 0;
    const out = release(
      [
        { key: 'small', users: 4, points: [{ clicks: 3, impressions: 40 }] },
        { key: 'big', users: 5, points: [{ clicks: 3, impressions: 40 }] },
      ],
      ['clicks', 'impressions'],
      policy,
      () => {
        draws++;
        return 0;
      },
    );
    expect(out[0]).toEqual({ key: 'small', suppressed: true, points: null });
    expect(out[1]).toEqual({ key: 'big', suppressed: false, points: [{ clicks: 3, impressions: 40 }] });
    expect(draws).toBe(2);
  });

  it('splits ε across the measures and scales each by its bound', () => {
    const seen: [number, number][] = [];
    release(
      [{ key: 'g', users: 9, points: [{ clicks: 1, impressions: 1 }] }],
      ['clicks', 'impressions'],
      policy,
      (e, s) => {
        seen.push([e, s]);
        return -5;
      },
    );
    expect(seen).toEqual([
      [0.5, 2],
      [0.5, 10],
    ]);
  });

  it('releases non-negative integers that differ between releases', () => {
    const groups = [{ key: 'g', users: 50, points: [{ clicks: 0.4, impressions: 0 }] }];
    const values = Array.from(
      { length: 50 },
      () => release(groups, ['clicks'], policy)[0]?.points?.[0]?.clicks,
    );
    expect(values.every((v) => v !== undefined && Number.isInteger(v) && v >= 0)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(1);
  });

  it('refuses a measure with no bound', () => {
    expect(() => release([{ key: 'g', users: 9, points: [{}] }], ['dwellMs'], policy)).toThrow(/bound/);
  });

  it('computes ratios from noised parts, clamped', () => {
    expect(noisedRatio(3, 2)).toBe(1);
    expect(noisedRatio(1, 4)).toBe(0.25);
    expect(noisedRatio(1, 0)).toBe(0);
  });
});
