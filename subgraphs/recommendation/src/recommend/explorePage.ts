import type { RecDecisionSlot } from '../models/RecDecision.js';
import type { RankedItem } from '../serving/ranker.js';

/** A source of uniform numbers in [0, 1). */
export interface Rng {
  next(): number;
}

/**
 * The logging policy of a page: each position keeps the ranking's item with probability 1 − ε, or,
 * with probability ε, shows an item drawn uniformly from the ranking's items below the page not drawn
 * yet (the pool). Per-position propensities, conditional on the positions above (independent slots):
 * 1 − ε for the ranking's item, ε / pool for an explored one; with ε = 0 every propensity is 1 and the
 * page is the ranking's. Pure: randomness from `rng`.
 */
export function explorePage(
  ranking: readonly RankedItem[],
  offset: number,
  first: number,
  epsilon: number,
  rng: Rng,
): RecDecisionSlot[] {
  const page = ranking.slice(offset, offset + first);
  const pool = epsilon > 0 ? ranking.slice(offset + first) : [];
  return page.map((greedy, i) => {
    const base = { position: offset + i + 1, greedyItemId: greedy.itemId };
    if (pool.length > 0 && rng.next() < epsilon) {
      const size = pool.length;
      const k = Math.min(size - 1, Math.floor(rng.next() * size));
      const [picked] = pool.splice(k, 1);
      return {
        ...base,
        itemId: picked!.itemId,
        score: picked!.score,
        explored: true,
        propensity: epsilon / size,
        pool: size,
      };
    }
    return {
      ...base,
      itemId: greedy.itemId,
      score: greedy.score,
      explored: false,
      propensity: pool.length > 0 ? 1 - epsilon : 1,
      pool: pool.length,
    };
  });
}

/** The ranking's items in model-score order at the page's positions (for score-order policies). */
export function byScoreAt(ranking: readonly RankedItem[], offset: number, first: number) {
  return [...ranking]
    .sort((a, b) => b.score - a.score)
    .slice(offset, offset + first)
    .map((r) => ({ itemId: r.itemId, score: r.score }));
}
