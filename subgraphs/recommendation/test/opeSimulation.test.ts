import {
  evaluatePolicy,
  positionBaseline,
  type RecDecisionRecord,
  recUnit,
} from '@attention-mesh/ml/training';
import { seededRandom } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { byScoreAt, explorePage } from '../src/recommend/explorePage.js';

/**
 * The position-wise estimators on pages logged by the subgraph's own logging policy (`explorePage`),
 * in a world with a known truth: clicks follow a position-based model, P(click item i at position k) =
 * attractiveness(i) × bias(k), so the true reward per position of any deterministic page is exact.
 */
describe('recommendation OPE on a simulated position-based click model', () => {
  const rng = seededRandom(17);
  const PAGE = 5;
  const EPS = 0.2;
  const bias = (k: number) => 1 / Math.sqrt(k);
  // 200 users, each a ranking of 30 items: the ranking's order is the model's score order perturbed
  // (as MMR does), attractiveness is the score plus noise.
  const users = Array.from({ length: 200 }, (_, u) => {
    const items = Array.from({ length: 30 }, (_, i) => {
      const score = rng.next();
      return {
        itemId: `u${u}-i${i}`,
        score,
        attract: Math.min(0.6, Math.max(0.01, 0.3 * score + 0.1 * rng.next())),
      };
    });
    const ranked = [...items].sort((a, b) => b.score + 0.3 * (rng.next() - 0.5) - a.score);
    return {
      ranking: ranked.map(({ itemId, score }) => ({ itemId, score })),
      attract: new Map(items.map((i) => [i.itemId, i.attract])),
    };
  });
  const truthOf = (pageOf: (u: (typeof users)[number]) => string[]) => {
    let v = 0;
    for (const u of users) {
      const page = pageOf(u);
      for (let k = 0; k < page.length; k++) v += u.attract.get(page[k]!)! * bias(k + 1);
    }
    return v / (users.length * PAGE);
  };
  const truth = {
    greedy: truthOf((u) => u.ranking.slice(0, PAGE).map((r) => r.itemId)),
    'by-score': truthOf((u) => byScoreAt(u.ranking, 0, PAGE).map((r) => r.itemId)),
  };

  function logPages(n: number): RecDecisionRecord[] {
    return Array.from({ length: n }, (_, i) => {
      const u = users[Math.floor(rng.next() * users.length)]!;
      const slots = explorePage(u.ranking, 0, PAGE, EPS, rng).map((s) => ({
        ...s,
        reward: rng.next() < u.attract.get(s.itemId)! * bias(s.position) ? 1 : 0,
      }));
      return {
        kind: 'rec',
        id: `r${i}`,
        at: i,
        epsilon: EPS,
        source: 'MODEL',
        modelVersion: 'v',
        slots,
        byScore: byScoreAt(u.ranking, 0, PAGE),
      };
    });
  }

  it('IPS, SNIPS and DR recover the true reward per position of the greedy page', () => {
    const repeats = 40;
    const covered = { ips: 0, snips: 0, dr: 0 };
    let sq = 0;
    for (let r = 0; r < repeats; r++) {
      const log = logPages(3000);
      const base = positionBaseline(log);
      const report = evaluatePolicy(log.map((d) => recUnit('greedy', d, base)));
      expect(report.unsupported).toBe(0);
      for (const name of ['ips', 'snips', 'dr'] as const) {
        const e = report.estimates[name];
        if (e.lower <= truth.greedy && truth.greedy <= e.upper) covered[name]++;
      }
      sq += (report.estimates.ips.value - truth.greedy) ** 2;
    }
    // Coverage near 95 % (40 repeats: a binomial sd of about 3.5 points), relative RMSE under 10 %.
    for (const name of ['ips', 'snips', 'dr'] as const)
      expect(covered[name] / repeats).toBeGreaterThanOrEqual(0.85);
    expect(Math.sqrt(sq / repeats) / truth.greedy).toBeLessThan(0.1);
  });

  it('says how much of a reordering policy the log cannot see, and misses the truth by about that', () => {
    const log = logPages(3000);
    const base = positionBaseline(log);
    const report = evaluatePolicy(log.map((d) => recUnit('by-score', d, base)));
    // by-score reorders the page's own items, which exploration never moves: most of it is unsupported.
    expect(report.unsupported).toBeGreaterThan(0.3);
    expect(report.estimates.ips.value).toBeLessThan(truth['by-score'] * (1 - report.unsupported) * 1.5);
  });
});
