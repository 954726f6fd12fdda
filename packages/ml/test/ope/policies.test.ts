import { describe, expect, it } from 'vitest';
import { evaluateLog, formatEvaluation } from '../../src/ope/evaluateLog.js';
import { adPolicy, adUnit, positionBaseline, recUnit } from '../../src/ope/policies.js';
import { type AdDecisionRecord, parseDecisionRecord, type RecDecisionRecord } from '../../src/ope/records.js';

const cand = (adId: string, pctr: number, ecpmMicros: number, eligible = true) => ({
  adId,
  campaignId: `c-${adId}`,
  bidType: 'CPC' as const,
  bidMicros: 100_000,
  pctr,
  ecpmMicros,
  quality: 1,
  eligible,
});

// 'a' has the best eCPM, 'b' the best pCTR, 'c' is not eligible (below the floor); 4 eligible in all.
const ad: AdDecisionRecord = {
  kind: 'ad',
  id: 'd1',
  at: 1,
  placementId: 'p',
  chosen: 'b',
  propensity: 0.25,
  explored: true,
  epsilon: 0.1,
  eligible: 4,
  candidates: [cand('a', 0.01, 3_000), cand('b', 0.05, 2_000), cand('c', 0.2, 100, false)],
  shown: true,
  reward: 1,
};

describe('candidate policies over logged decisions', () => {
  it('ads: greedy on eCPM or pCTR among eligible candidates, uniform over the exploration set', () => {
    expect([...adPolicy('greedy-ecpm', ad).probs]).toEqual([
      ['a', 1],
      ['b', 0],
    ]);
    expect(adPolicy('greedy-ctr', ad).probs.get('b')).toBe(1);
    const u = adPolicy('uniform', ad);
    expect(u.probs.get('a')).toBe(0.25);
    // Two eligible candidates are listed, two more were not: half the mass is unlisted.
    expect(u.unlisted).toBeCloseTo(0.5, 12);
    expect(adPolicy('egreedy-ecpm:0.2', ad).probs.get('a')).toBeCloseTo(0.8 + 0.05, 12);
    expect(() => adPolicy('best', ad)).toThrow(/unknown ad policy/);
  });

  it('ads: the unit carries the weight and the pCTR reward model', () => {
    const [s] = adUnit('greedy-ctr', ad).slots;
    expect(s).toEqual({ target: 1, propensity: 0.25, reward: 1, dmTarget: 0.05, dmLogged: 0.05 });
    // Uniform: 0.25·0.01 + 0.25·0.05 + 0.5·mean(0.01, 0.05)
    expect(adUnit('uniform', ad).slots[0]!.dmTarget).toBeCloseTo(0.0025 + 0.0125 + 0.015, 12);
    expect(adUnit('logging', ad).slots[0]!.target).toBe(0.25);
  });

  const rec: RecDecisionRecord = {
    kind: 'rec',
    id: 'r1',
    at: 1,
    epsilon: 0.2,
    source: 'MODEL',
    modelVersion: 'v1',
    slots: [
      {
        position: 1,
        itemId: 'i1',
        greedyItemId: 'i1',
        explored: false,
        propensity: 0.8,
        pool: 10,
        score: 0.9,
        reward: 1,
      },
      {
        position: 2,
        itemId: 'i9',
        greedyItemId: 'i2',
        explored: true,
        propensity: 0.02,
        pool: 10,
        score: 0.1,
        reward: 0,
      },
      {
        position: 3,
        itemId: 'i3',
        greedyItemId: 'i3',
        explored: false,
        propensity: 1,
        pool: 0,
        score: 0.7,
        reward: 1,
      },
    ],
    byScore: [
      { itemId: 'i1', score: 0.9 },
      { itemId: 'i3', score: 0.7 },
      { itemId: 'i2', score: 0.5 },
    ],
  };

  it('recommendation: per-position probabilities of greedy, score order and another epsilon', () => {
    const base = positionBaseline([rec]);
    expect([...base]).toEqual([
      [1, 1],
      [2, 0],
      [3, 1],
    ]);
    expect(recUnit('greedy', rec, base).slots.map((s) => s.target)).toEqual([1, 0, 1]);
    expect(recUnit('by-score', rec, base).slots.map((s) => s.target)).toEqual([1, 0, 0]);
    // by-score puts i3 at 2 and i2 at 3: items of the ranking's page moved, which the log never shows.
    expect(recUnit('by-score', rec, base).unsupported).toBe(2);
    expect(recUnit('greedy', rec, base).unsupported).toBe(0);
    // epsilon 0.1: kept 0.9, explored 0.1 / 10, no pool left: 1.
    const e = recUnit('epsilon:0.1', rec, base).slots.map((s) => s.target);
    expect(e[0]).toBeCloseTo(0.9, 12);
    expect(e[1]).toBeCloseTo(0.01, 12);
    expect(e[2]).toBe(1);
  });

  it('evaluates a log: logging first and equal to the observed value, a readable table', () => {
    const e = evaluateLog([ad, { ...ad, id: 'd2', chosen: 'a', propensity: 0.5, reward: 0 }], 'ad', [
      'greedy-ecpm',
    ]);
    expect(e.rows.map((r) => r.policy)).toEqual(['logging', 'greedy-ecpm']);
    expect(e.rows[0]!.report.estimates.ips.value).toBeCloseTo(e.observed.value, 12);
    // greedy-ecpm: d1 weight 0 (chose b), d2 weight 1/0.5 with reward 0 -> IPS 0, SNIPS 0.
    expect(e.rows[1]!.report.estimates.ips.value).toBe(0);
    const text = formatEvaluation(e);
    expect(text).toMatch(/2 ad decisions/);
    expect(text).toMatch(/logging policy observed: 50\.000%/);
    expect(text.split('\n').find((l) => l.startsWith('greedy-ecpm'))).toMatch(/0\.000%/);
  });

  it('parses export lines and names what is wrong', () => {
    expect(parseDecisionRecord(JSON.stringify(ad), 1)).toEqual(ad);
    expect(() => parseDecisionRecord('{', 3)).toThrow(/line 3: not JSON/);
    expect(() => parseDecisionRecord(JSON.stringify({ ...ad, propensity: 0 }), 4)).toThrow(/"propensity"/);
    expect(() => parseDecisionRecord(JSON.stringify({ ...ad, chosen: 'zz' }), 5)).toThrow(/"candidates"/);
    expect(() => parseDecisionRecord(JSON.stringify({ kind: 'x' }), 6)).toThrow(/"kind"/);
  });
});

describe('bootstrap intervals of a log', () => {
  it('bracket the estimates and are close to the delta-method ones', () => {
    const many: AdDecisionRecord[] = Array.from({ length: 400 }, (_, i) => ({
      ...ad,
      id: `d${i}`,
      chosen: i % 3 === 0 ? 'b' : 'a',
      propensity: i % 3 === 0 ? 0.25 : 0.75,
      reward: i % 5 === 0 ? 1 : 0,
    }));
    const normal = evaluateLog(many, 'ad', ['greedy-ecpm']).rows[1]!.report.estimates;
    const boot = evaluateLog(many, 'ad', ['greedy-ecpm'], { ci: 'bootstrap', seed: 2 }).rows[1]!.report
      .estimates;
    for (const name of ['ips', 'snips', 'dr'] as const) {
      expect(boot[name].value).toBe(normal[name].value);
      expect(boot[name].lower).toBeLessThan(boot[name].value);
      expect(boot[name].upper).toBeGreaterThan(boot[name].value);
      expect(boot[name].se / normal[name].se).toBeGreaterThan(0.7);
      expect(boot[name].se / normal[name].se).toBeLessThan(1.3);
    }
  });
});
