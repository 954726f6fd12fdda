import { seededRandom } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { byScoreAt, explorePage } from '../src/recommend/explorePage.js';
import { latestDecisionShowing } from '../src/recommend/rewardJoin.js';

const ranking = Array.from({ length: 20 }, (_, i) => ({ itemId: `i${i + 1}`, score: (i * 7919) % 13 }));

describe('the logging policy of a recommendation page', () => {
  it('with epsilon 0 serves the ranking with propensity 1', () => {
    const slots = explorePage(ranking, 5, 5, 0, seededRandom(1));
    expect(slots.map((s) => [s.position, s.itemId, s.propensity, s.explored])).toEqual(
      [6, 7, 8, 9, 10].map((p) => [p, `i${p}`, 1, false]),
    );
  });

  it('explores each position with probability epsilon from below the page, without repeats', () => {
    const rng = seededRandom(3);
    let explored = 0;
    const n = 2000;
    for (let t = 0; t < n; t++) {
      const slots = explorePage(ranking, 0, 10, 0.3, rng);
      expect(new Set(slots.map((s) => s.itemId)).size).toBe(10);
      let pool = 10;
      for (const s of slots) {
        expect(s.pool).toBe(pool);
        if (s.explored) {
          explored++;
          expect(Number(s.itemId.slice(1))).toBeGreaterThan(10);
          expect(s.propensity).toBeCloseTo(0.3 / pool, 12);
          pool--;
        } else {
          expect(s.itemId).toBe(s.greedyItemId);
          expect(s.propensity).toBe(pool > 0 ? 0.7 : 1);
        }
      }
    }
    expect(explored / (n * 10)).toBeCloseTo(0.3, 1);
  });

  it('logs the score order at the page positions', () => {
    const top = byScoreAt(ranking, 0, 3);
    // Scores 0..12 (each twice or so): the best three in descending order.
    expect(top.map((t) => t.score)).toEqual([12, 12, 11]);
  });
});

describe('the reward join', () => {
  const d = (id: string, at: number, items: string[]) => ({
    id,
    userId: 'u',
    at,
    slots: items.map((itemId, i) => ({ position: i + 1, itemId })),
  });
  const decisions = [d('a', 1000, ['x', 'y']), d('b', 5000, ['y', 'z']), d('c', 9000, ['w'])];

  it('joins to the latest decision that showed the item within the window', () => {
    expect(latestDecisionShowing(decisions, 'y', 6000, 60_000)).toEqual({ decisionId: 'b', position: 1 });
    expect(latestDecisionShowing(decisions, 'x', 6000, 60_000)).toEqual({ decisionId: 'a', position: 1 });
    // Outside the window, or never shown.
    expect(latestDecisionShowing(decisions, 'x', 200_000, 60_000)).toBeNull();
    expect(latestDecisionShowing(decisions, 'q', 6000, 60_000)).toBeNull();
    // A decision made after the feedback (beyond the clock skew allowed) is not its cause.
    expect(latestDecisionShowing([d('late', 100_000, ['x'])], 'x', 6000, 60_000)).toBeNull();
  });
});
